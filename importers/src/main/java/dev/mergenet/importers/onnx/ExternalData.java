package dev.mergenet.importers.onnx;

import dev.mergenet.importers.OnnxFormatException;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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
                case "location": location = e.getValue(); break;
                case "offset": offset = parse(e.getValue(), t, origin, "offset"); break;
                case "length": length = parse(e.getValue(), t, origin, "length"); break;
                default: break; // checksum and others are informative
            }
        }
        String what = TensorDecoder.where(t, origin);
        if (location == null || location.isEmpty()) {
            throw new OnnxFormatException(what + "is external but names no location");
        }
        if (baseDir == null) {
            throw new OnnxFormatException(what + "needs external data '" + location
                    + "' but the model was read from bytes without a folder");
        }
        Path rel = Path.of(location);
        if (rel.isAbsolute()) {
            throw new OnnxFormatException(what + "external data location '" + location
                    + "' is absolute; only paths inside the model's folder are allowed");
        }
        Path base = baseDir.toAbsolutePath().normalize();
        Path target = base.resolve(rel).normalize();
        if (!target.startsWith(base)) {
            throw new OnnxFormatException(what + "external data location '" + location
                    + "' leaves the model's folder " + base);
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
                throw new OnnxFormatException(what + "external data offset " + offset + " is outside '"
                        + location + "' (" + fileSize + " bytes)");
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

    /** Maps the range read-only; the caller copies what it needs. */
    public static ByteBuffer read(Ref ref, String origin, String tensor) {
        try (FileChannel ch = FileChannel.open(ref.file(), StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, ref.offset(), ref.length());
        } catch (IOException e) {
            throw new OnnxFormatException(origin + ": tensor '" + tensor + "': cannot read " + ref.file() + ": "
                    + e.getMessage(), e);
        }
    }

    private static long parse(String value, TensorProto t, String origin, String key) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new OnnxFormatException(TensorDecoder.where(t, origin) + "external data " + key + " '" + value
                    + "' is not a number");
        }
    }
}
