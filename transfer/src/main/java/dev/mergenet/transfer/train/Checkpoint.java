package dev.mergenet.transfer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run's complete state after an epoch: every tensor (model weights and running statistics, optimizer
 * buffers, adapter parameters and spectral-norm buffers, fixed source matrices) by name, plus a JSON header with
 * the run fingerprint, progress counters and the epoch history. Written atomically, so a killed run never leaves a
 * partial checkpoint.
 */
public final class Checkpoint {
    private static final String MAGIC = "MERGENET-J-CHECKPOINT-1";
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    /** JSON header. */
    public static final class Header {
        public Map<String, String> fingerprint = new LinkedHashMap<>();
        /** The best-validation epoch (1-based) whose weights are saved under "model/" with --keep best; 0: none yet. */
        public int bestEpoch;
        public double bestValAccuracy = Double.NaN;
        public int epochsDone;
        public long step;
        public Map<String, Long> counters = new LinkedHashMap<>();
        public List<EpochRecord> history = new ArrayList<>();
    }

    private Checkpoint() {}

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
                ByteBuffer bytes = a.toByteBuffer();
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                out.writeInt(b.length);
                out.write(b);
            }
            out.flush();
        });
    }

    /** Reads a checkpoint; tensors are created on {@code manager}. */
    public static Header read(Path file, NDManager manager, Map<String, NDArray> tensorsOut) {
        if (!Files.isRegularFile(file)) {
            throw new MergeNetException(file + ": no checkpoint to resume from");
        }
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (!MAGIC.equals(in.readUTF())) {
                throw new MergeNetException(file + ": not a MergeNet-J checkpoint");
            }
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            Header header = GSON.fromJson(new String(json, StandardCharsets.UTF_8), new TypeToken<Header>() { }
                    .getType());
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                DataType type = DataType.valueOf(in.readUTF());
                long[] dims = new long[in.readInt()];
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = in.readLong();
                }
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                ByteBuffer buf = ByteBuffer.allocateDirect(b.length).order(java.nio.ByteOrder.nativeOrder());
                buf.put(b).rewind();
                tensorsOut.put(name, manager.create(buf, new Shape(dims), type));
            }
            return header;
        } catch (IOException | RuntimeException e) {
            if (e instanceof MergeNetException m) {
                throw m;
            }
            throw new MergeNetException(file + ": cannot read checkpoint: " + e.getMessage(), e);
        }
    }
}
