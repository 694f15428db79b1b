package dev.mergenet.importers.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads ONNX files. A file is read whole into one off-heap buffer, not mapped: a model truncated or rewritten while
 * a run still uses it cannot fault a mapping (InternalError); the parse aliases that one copy for tensor bytes.
 */
public final class OnnxModelReader {
    private OnnxModelReader() {}

    /** A model and the SHA-256 (lowercase hex) of the file's bytes, both from one read of the file. */
    public record Hashed(OnnxModel model, String sha256) {}

    /**
     * Reads and validates an ONNX file.
     *
     * @param path the .onnx file; external data is resolved against its folder
     * @return the parsed model, its tensor bytes aliasing one off-heap copy of the file
     * @throws OnnxFormatException if the file is missing, a folder, empty, over 2 GiB or not a valid model
     */
    public static OnnxModel read(Path path) {
        return read(path, null);
    }

    /**
     * Reads an ONNX file once and hashes the same bytes: one read for the model and its SHA-256.
     *
     * @param path the .onnx file
     * @return the model and the SHA-256 of the file (external data files are not part of the hash)
     * @throws OnnxFormatException as {@link #read(Path)}
     */
    public static Hashed readHashed(Path path) {
        MessageDigest digest = sha256();
        OnnxModel model = read(path, digest);
        return new Hashed(model, HexFormat.of().formatHex(digest.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Reads the file whole; when {@code digest} is not null, the bytes read are fed to it too. */
    private static OnnxModel read(Path path, MessageDigest digest) {
        Path file = path.toAbsolutePath().normalize();
        String origin = path.toString();
        if (Files.isDirectory(file)) {
            throw new OnnxFormatException(origin + ": is a folder, not an ONNX file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new OnnxFormatException(origin + ": file is empty");
            }
            if (size > Integer.MAX_VALUE) {
                throw new OnnxFormatException(origin + ": " + size + " bytes is over the 2 GiB protobuf limit;"
                        + " a model this large must keep its tensors in external data files");
            }
            ByteBuffer bytes = readFully(channel, (int) size, origin);
            if (digest != null) {
                digest.update(bytes.duplicate());
            }
            // the buffer is never written again, so tensor ByteStrings may alias it instead of copying; it is
            // off the Java heap, so a large model's tensor bytes never count against -Xmx twice
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
            in.enableAliasing(true);
            ModelProto proto = parse(in, origin);
            return validated(new OnnxModel(proto, origin, file, file.getParent()));
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException(origin + ": no such file");
        } catch (IOException e) {
            throw new OnnxFormatException(origin + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static ByteBuffer readFully(FileChannel channel, int size, String origin) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(size);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new OnnxFormatException(origin + ": file ended after " + buffer.position() + " of " + size
                        + " bytes (was it truncated while being read?)");
            }
        }
        return buffer.flip();
    }

    /**
     * Reads and validates a model from bytes.
     *
     * @param bytes the serialized ModelProto
     * @param origin the name used in messages
     * @param baseDir the folder external data is resolved against; may be null when there is none
     * @return the parsed model
     * @throws OnnxFormatException if the bytes are not a valid model
     */
    public static OnnxModel read(byte[] bytes, String origin, Path baseDir) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.enableAliasing(true);
        return validated(new OnnxModel(parse(in, origin), origin, null, baseDir));
    }

    /**
     * Reads and validates a model from bytes, named "&lt;bytes&gt;" in messages, without external data.
     *
     * @param bytes the serialized ModelProto
     * @return the parsed model
     * @throws OnnxFormatException if the bytes are not a valid model
     */
    public static OnnxModel read(byte[] bytes) {
        return read(bytes, "<bytes>", null);
    }

    /**
     * Reads a whole stream and validates the model in it.
     *
     * @param stream the serialized ModelProto; read to its end, not closed
     * @param origin the name used in messages
     * @param baseDir the folder external data is resolved against; may be null
     * @return the parsed model
     * @throws OnnxFormatException if the stream cannot be read or is not a valid model
     */
    public static OnnxModel read(InputStream stream, String origin, Path baseDir) {
        try {
            return read(stream.readAllBytes(), origin, baseDir);
        } catch (IOException e) {
            throw new OnnxFormatException(origin + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static ModelProto parse(CodedInputStream in, String origin) {
        in.setSizeLimit(Integer.MAX_VALUE);
        try {
            ModelProto proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return proto;
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException(origin + ": not a valid ONNX model (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new OnnxFormatException(origin + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static OnnxModel validated(OnnxModel model) {
        ModelValidator.validate(model);
        return model;
    }
}
