package dev.mergenet.exporters;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.io.AtomicFiles;
import dev.mergenet.exporters.deploy.InputPreprocessing;
import dev.mergenet.exporters.provenance.Lineage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one checkpoint file that {@code train}, {@code transfer} and {@code export --checkpoint} share: the magic
 * {@value #MAGIC}, a JSON {@link Header}, then named tensors (name, DJL data type, dims, little-endian bytes).
 * Names are sectioned by prefix: {@value #MODEL} + ONNX tensor name holds what an export ships (the target's
 * trainable weights and BatchNorm running statistics); every other prefix is the trainer's (optimizer state,
 * source, adapter) and export ignores it. Written atomically; every length read back is bounded by the file.
 */
public final class TrainingCheckpoint {
    public static final String MAGIC = "MERGENET-J-CHECKPOINT-2";
    public static final int FORMAT_VERSION = 2;
    /** Prefix of the tensors an export writes into the model. */
    public static final String MODEL = "model/";

    private static final int MAX_DIMS = 32;
    private static final Gson GSON = new GsonBuilder()
            .serializeSpecialFloatingPointValues()
            .disableHtmlEscaping()
            .create();

    private TrainingCheckpoint() {}

    /** The classifier head was replaced by a fresh one for {@code numClasses}, drawn with {@code seed}. */
    public record HeadEdit(int numClasses, long seed) {}

    /**
     * What the tensors belong to and how the model was trained. {@code head}, {@code input}, {@code classNames}
     * and {@code lineage} may be null; {@code trainer} is the trainer's own record (fingerprint, counters,
     * history), opaque to export.
     */
    public record Header(
            int formatVersion,
            String modelSha256,
            HeadEdit head,
            InputPreprocessing input,
            List<String> classNames,
            Lineage lineage,
            JsonObject trainer) {
        public static Header of(
                String modelSha256, HeadEdit head, InputPreprocessing input, List<String> classNames, Lineage lineage) {
            return new Header(FORMAT_VERSION, modelSha256, head, input, classNames, lineage, new JsonObject());
        }

        public Header withTrainer(JsonObject trainerState) {
            return new Header(formatVersion, modelSha256, head, input, classNames, lineage, trainerState);
        }

        public Header withLineage(Lineage l) {
            return new Header(formatVersion, modelSha256, head, input, classNames, l, trainer);
        }
    }

    /** A checkpoint read back. */
    public record Contents(Header header, Map<String, NDArray> tensors) {
        /** The {@value #MODEL} section, by ONNX tensor name. */
        public Map<String, NDArray> model() {
            return section(tensors, MODEL);
        }
    }

    /** Writes header and tensors to {@code file} (temporary file, then rename). */
    public static void write(Path file, Header header, Map<String, NDArray> tensors) {
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
            out.writeUTF(MAGIC);
            out.writeInt(json.length);
            out.write(json);
            out.writeInt(tensors.size());
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray a = e.getValue();
                out.writeUTF(e.getKey());
                out.writeUTF(a.getDataType().name());
                long[] dims = a.getShape().getShape();
                out.writeInt(dims.length);
                for (long d : dims) {
                    out.writeLong(d);
                }
                ByteBuffer bytes = a.toByteBuffer().order(ByteOrder.nativeOrder());
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                    swap(b, a.getDataType().getNumOfBytes());
                }
                out.writeInt(b.length);
                out.write(b);
            }
            out.flush();
        });
    }

    /** Reads the header only (cheap: stops before the tensors). */
    public static Header header(Path file) {
        try (Reader r = new Reader(file)) {
            return r.header();
        } catch (IOException e) {
            throw new MergeNetException(file + ": cannot read checkpoint: " + e.getMessage(), e);
        }
    }

    /** Reads header and every tensor; tensors are created on {@code manager}. */
    public static Contents read(Path file, NDManager manager) {
        try (Reader r = new Reader(file)) {
            Header h = r.header();
            return new Contents(h, r.tensors(manager));
        } catch (IOException | RuntimeException e) {
            if (e instanceof MergeNetException m) {
                throw m;
            }
            throw new MergeNetException(
                    file + ": cannot read checkpoint: "
                            + (e instanceof EOFException ? "file ends early (truncated)" : e.getMessage()),
                    e);
        }
    }

    /** The tensors under {@code prefix}, with the prefix taken off. */
    public static Map<String, NDArray> section(Map<String, NDArray> all, String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Sequential reader that knows how many bytes remain, so no length from the file can over-allocate. */
    private static final class Reader implements AutoCloseable {
        private final Path file;
        private final DataInputStream in;
        private final long size;
        private long consumed;

        Reader(Path file) throws IOException {
            this.file = file;
            if (Files.isDirectory(file)) {
                throw new MergeNetException(file + ": is a folder; checkpoints are one file (FILE.ckpt, written by"
                        + " train and transfer)");
            }
            if (!Files.isRegularFile(file)) {
                throw new MergeNetException(file + ": checkpoint file does not exist");
            }
            this.size = Files.size(file);
            InputStream counting = new FilterInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    consumed += b < 0 ? 0 : 1;
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    consumed += Math.max(n, 0);
                    return n;
                }
            };
            this.in = new DataInputStream(counting);
        }

        Header header() throws IOException {
            String magic;
            try {
                magic = in.readUTF();
            } catch (IOException e) {
                throw new MergeNetException(file + ": not a MergeNet-J checkpoint");
            }
            if (magic.startsWith("MERGENET-J-CHECKPOINT-") && !magic.equals(MAGIC)) {
                throw new MergeNetException(file + ": checkpoint format " + magic.substring(22) + " is not "
                        + FORMAT_VERSION + " (written by another MergeNet-J version); train again to get one");
            }
            if (!magic.equals(MAGIC)) {
                throw new MergeNetException(file + ": not a MergeNet-J checkpoint");
            }
            int length = in.readInt();
            byte[] json = new byte[bounded(length, "header")];
            in.readFully(json);
            Header h;
            try {
                h = GSON.fromJson(new String(json, StandardCharsets.UTF_8), Header.class);
            } catch (JsonParseException | IllegalArgumentException e) {
                throw new MergeNetException(file + ": checkpoint header is not valid: " + e.getMessage(), e);
            }
            if (h == null || h.formatVersion() != FORMAT_VERSION) {
                throw new MergeNetException(file + ": checkpoint header has format "
                        + (h == null ? "none" : h.formatVersion()) + ", expected " + FORMAT_VERSION);
            }
            return h;
        }

        Map<String, NDArray> tensors(NDManager manager) throws IOException {
            int count = in.readInt();
            if (count < 0 || count > remaining()) {
                throw new MergeNetException(file + ": checkpoint claims " + count + " tensors (file damaged)");
            }
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                String typeName = in.readUTF();
                DataType type;
                try {
                    type = DataType.valueOf(typeName);
                } catch (IllegalArgumentException e) {
                    throw new MergeNetException(file + ": tensor '" + name + "' has unknown type " + typeName);
                }
                int rank = in.readInt();
                if (rank < 0 || rank > MAX_DIMS) {
                    throw new MergeNetException(file + ": tensor '" + name + "' has rank " + rank);
                }
                long[] dims = new long[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++) {
                    dims[d] = in.readLong();
                    if (dims[d] < 0 || (dims[d] > 0 && elements > remaining() / dims[d])) {
                        throw new MergeNetException(file + ": tensor '" + name + "' has impossible dims");
                    }
                    elements *= dims[d];
                }
                int length = in.readInt();
                if ((long) length != elements * type.getNumOfBytes()) {
                    throw new MergeNetException(file + ": tensor '" + name + "' holds " + length + " bytes but "
                            + new Shape(dims) + " " + type + " needs " + elements * type.getNumOfBytes());
                }
                byte[] b = new byte[bounded(length, "tensor '" + name + "'")];
                in.readFully(b);
                if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                    swap(b, type.getNumOfBytes());
                }
                ByteBuffer buf = ByteBuffer.allocateDirect(b.length).order(ByteOrder.nativeOrder());
                buf.put(b).rewind();
                out.put(name, manager.create(buf, new Shape(dims), type));
            }
            return out;
        }

        private long remaining() {
            return size - consumed;
        }

        private int bounded(int length, String what) {
            if (length < 0 || length > remaining()) {
                throw new MergeNetException(file + ": " + what + " claims " + length + " bytes but only " + remaining()
                        + " remain (file damaged or truncated)");
            }
            return length;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static void swap(byte[] b, int width) {
        for (int i = 0; i + width <= b.length; i += width) {
            for (int k = 0; k < width / 2; k++) {
                byte t = b[i + k];
                b[i + k] = b[i + width - 1 - k];
                b[i + width - 1 - k] = t;
            }
        }
    }
}
