package dev.mergenet.importers.onnx;

import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * External tensor data: a file beside the model. Locations must stay inside the model's folder: absolute
 * paths, ".." and symbolic links that lead out are refused, so a model cannot read arbitrary files.
 */
public final class ExternalData {
    private ExternalData() {}

    /** A resolved, checked external data range. */
    public record Ref(Path file, long offset, long length) {}

    public static Ref resolve(TensorProto t, String origin, Path baseDir) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location":
                    location = e.getValue();
                    break;
                case "offset":
                    offset = parse(e.getValue(), t, origin, "offset");
                    break;
                case "length":
                    length = parse(e.getValue(), t, origin, "length");
                    break;
                default:
                    break; // checksum and others are informative
            }
        }
        String what = TensorDecoder.where(t, origin);
        if (location == null || location.isEmpty()) {
            throw new OnnxFormatException(what + "is external but names no location");
        }
        if (baseDir == null) {
            throw new OnnxFormatException(
                    what + "needs external data '" + location + "' but the model was read from bytes without a folder");
        }
        if (location.indexOf('\0') >= 0) {
            throw new OnnxFormatException(
                    what + "external data location '" + location.replace("\0", "\\0") + "' contains a NUL byte");
        }
        Path rel;
        try {
            rel = Path.of(location);
        } catch (InvalidPathException e) {
            throw new OnnxFormatException(
                    what + "external data location '" + location + "' is not a valid path (" + e.getReason() + ")");
        }
        if (rel.isAbsolute()) {
            throw new OnnxFormatException(what + "external data location '" + location
                    + "' is absolute; only paths inside the model's folder are allowed");
        }
        Path base = baseDir.toAbsolutePath().normalize();
        Path target = base.resolve(rel).normalize();
        if (!target.startsWith(base)) {
            throw new OnnxFormatException(
                    what + "external data location '" + location + "' leaves the model's folder " + base);
        }
        if (!Files.exists(target)) {
            throw new OnnxFormatException(what + "external data file '" + location + "' not found in " + base);
        }
        try {
            Path real = target.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw new OnnxFormatException(what + "external data location '" + location
                        + "' is a link that leaves the model's folder (to " + real + ")");
            }
            long fileSize = Files.size(real);
            if (offset < 0 || offset > fileSize) {
                throw new OnnxFormatException(what + "external data offset " + offset + " is outside '" + location
                        + "' (" + fileSize + " bytes)");
            }
            if (length < 0) {
                length = fileSize - offset;
            }
            if (offset + length > fileSize) {
                throw new OnnxFormatException(what + "external data range " + offset + "+" + length
                        + " runs past the end of '" + location + "' (" + fileSize + " bytes)");
            }
            return new Ref(real, offset, length);
        } catch (IOException e) {
            throw new OnnxFormatException(what + "cannot read external data '" + location + "': " + e.getMessage(), e);
        }
    }

    /**
     * Reads the range into memory. Read, not mapped: a file truncated or rewritten while a run uses it would
     * make a mapping fault (InternalError) long after this check; a read fails here with the file's name.
     */
    public static ByteBuffer read(Ref ref, String origin, String tensor) {
        if (ref.length() > Integer.MAX_VALUE - 8) {
            throw new OnnxFormatException(origin + ": tensor '" + tensor + "': " + ref.length()
                    + " bytes of external data; one tensor is limited to 2 GiB");
        }
        try (FileChannel ch = FileChannel.open(ref.file(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect((int) ref.length());
            long position = ref.offset();
            while (buffer.hasRemaining()) {
                int n = ch.read(buffer, position);
                if (n < 0) {
                    throw new OnnxFormatException(origin + ": tensor '" + tensor + "': " + ref.file()
                            + " ended after " + (position - ref.offset()) + " of " + ref.length()
                            + " bytes (was it truncated while in use?)");
                }
                position += n;
            }
            return buffer.flip();
        } catch (IOException e) {
            throw new OnnxFormatException(
                    origin + ": tensor '" + tensor + "': cannot read " + ref.file() + ": " + e.getMessage(), e);
        }
    }

    private static long parse(String value, TensorProto t, String origin, String key) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new OnnxFormatException(
                    TensorDecoder.where(t, origin) + "external data " + key + " '" + value + "' is not a number");
        }
    }
}
