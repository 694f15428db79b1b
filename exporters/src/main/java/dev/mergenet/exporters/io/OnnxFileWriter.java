package dev.mergenet.exporters.io;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.io.AtomicFiles;
import dev.mergenet.importers.onnx.ExternalData;
import dev.mergenet.importers.onnx.GraphOrder;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a ModelProto to disk safely: checks first (the graph has a run order, folder exists and is writable, not
 * an input, no silent overwrite), then a temporary file and a rename. Models that would pass the 2 GiB protobuf limit, or when
 * asked, keep their initializers in one data file beside the model ("MODEL.onnx.data"), at page-aligned
 * offsets with a relative location.
 */
public final class OnnxFileWriter {
    /** Protobuf cannot serialize a message of 2 GiB or more; stay well clear of it. */
    public static final long INLINE_LIMIT = (1L << 31) - (64L << 20);

    public static final int ALIGNMENT = 4096;
    /** Tensors smaller than this stay inline even in an external-data export (as onnx's own converter does). */
    public static final int EXTERNAL_THRESHOLD = 1024;

    private OnnxFileWriter() {}

    /** What was written. */
    public record Written(Path model, Path dataFile, long modelBytes, long dataBytes) {}

    /**
     * Writes {@code model} to {@code target}. {@code baseDir} is where the model's own external tensors (if
     * any) are read from; it may be null when the model has none.
     */
    public static Written write(ModelProto model, Path target, Path baseDir, WriteOptions options) {
        Path out = target.toAbsolutePath().normalize();
        checkTarget(target, out, options);
        // a graph the importer would reject (a cycle, an undefined value) is never written
        GraphOrder.check(model.getGraph(), "refusing to write " + target);
        long dataBytes = tensorBytes(model.getGraph());
        boolean external = options.externalData() || dataBytes > INLINE_LIMIT;
        if (!external) {
            ModelProto inline = inlined(model, baseDir);
            AtomicFiles.write(out, stream -> writeProto(inline, stream));
            return new Written(out, null, size(out), 0);
        }
        Path data = out.resolveSibling(out.getFileName() + ".data");
        checkTarget(data, data, options);
        GraphProto.Builder graph = model.getGraph().toBuilder();
        long[] written = new long[1];
        AtomicFiles.write(
                data,
                stream -> written[0] =
                        writeExternal(graph, baseDir, data.getFileName().toString(), stream));
        ModelProto withRefs = model.toBuilder().setGraph(graph).build();
        try {
            AtomicFiles.write(out, stream -> writeProto(withRefs, stream));
        } catch (RuntimeException e) {
            deleteQuietly(data); // a data file without its model is a partial result
            throw e;
        }
        return new Written(out, data, size(out), written[0]);
    }

    /** Refuses inputs, missing or read-only folders, folders as targets, and existing files without force. */
    public static void checkTarget(Path given, Path out, WriteOptions options) {
        for (Path in : options.inputs()) {
            if (same(in, out)) {
                throw new MergeNetException(given + ": is the input model (or its data); refusing to overwrite it."
                        + " Choose another --out path");
            }
        }
        Path dir = out.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new MergeNetException(given + ": output folder " + dir + " does not exist");
        }
        if (!Files.isWritable(dir) || !canCreateFileIn(dir)) {
            throw new MergeNetException(given + ": output folder " + dir + " is not writable");
        }
        if (Files.isDirectory(out)) {
            throw new MergeNetException(given + ": is a folder; give a file name for the output");
        }
        if (Files.exists(out) && !options.force()) {
            throw new MergeNetException(given + ": already exists; use --force to overwrite it");
        }
    }

    /** Permission bits do not stop root; a real probe does (read-only mounts, sysfs, immutable folders). */
    private static boolean canCreateFileIn(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, ".mergenet-probe", ".tmp");
            Files.delete(probe);
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static boolean same(Path a, Path b) {
        Path x = a.toAbsolutePath().normalize();
        if (x.equals(b)) {
            return true;
        }
        try {
            return Files.exists(x) && Files.exists(b) && Files.isSameFile(x, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeProto(ModelProto model, OutputStream stream) throws IOException {
        CodedOutputStream coded = CodedOutputStream.newInstance(stream, 1 << 16);
        model.writeTo(coded);
        coded.flush();
    }

    /** Bytes of tensor data in the graph's initializers and node attributes (what would be inline in the protobuf). */
    public static long tensorBytes(GraphProto g) {
        long total = 0;
        for (TensorProto t : g.getInitializerList()) {
            total += dataSize(t);
        }
        for (NodeProto n : g.getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasT()) {
                    total += dataSize(a.getT());
                }
            }
        }
        return total;
    }

    private static long dataSize(TensorProto t) {
        long count = 1;
        for (long d : t.getDimsList()) {
            count *= d;
        }
        int size = OnnxDataTypes.elementSize(t.getDataType());
        return size < 0 ? t.getSerializedSize() : count * size;
    }

    /** External tensors of the model read back inline (the output folder may not have their file). */
    private static ModelProto inlined(ModelProto model, Path baseDir) {
        GraphProto g = model.getGraph();
        GraphProto.Builder b = g.toBuilder();
        boolean changed = false;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                b.setInitializer(i, inline(t, baseDir));
                changed = true;
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            for (int k = 0; k < n.getAttributeCount(); k++) {
                AttributeProto a = n.getAttribute(k);
                if (a.hasT() && a.getT().getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                    b.setNode(
                            i,
                            b.getNode(i).toBuilder()
                                    .setAttribute(k, a.toBuilder().setT(inline(a.getT(), baseDir))));
                    changed = true;
                }
            }
        }
        return changed ? model.toBuilder().setGraph(b).build() : model;
    }

    private static TensorProto inline(TensorProto t, Path baseDir) {
        ByteBuffer bytes = TensorDecoder.decode(t, "model", baseDir).bytes();
        return t.toBuilder()
                .clearExternalData()
                .clearDataLocation()
                .setRawData(ByteString.copyFrom(bytes))
                .build();
    }

    /**
     * Streams every large initializer and large Constant value into the data file and points the tensor at
     * it (models that keep their weights in Constant nodes would otherwise still pass the 2 GiB limit).
     */
    private static long writeExternal(GraphProto.Builder graph, Path baseDir, String location, OutputStream stream)
            throws IOException {
        WritableByteChannel channel = Channels.newChannel(stream);
        long[] offset = {0};
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto t = graph.getInitializer(i);
            if (externalizable(t)) {
                graph.setInitializer(i, append(t, baseDir, location, channel, offset));
            }
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            if (!n.getOpType().equals("Constant")) {
                continue;
            }
            for (int k = 0; k < n.getAttributeCount(); k++) {
                AttributeProto a = n.getAttribute(k);
                if (a.getName().equals("value") && a.hasT() && externalizable(a.getT())) {
                    TensorProto moved = append(a.getT(), baseDir, location, channel, offset);
                    graph.setNode(
                            i,
                            n.toBuilder()
                                    .setAttribute(k, a.toBuilder().setT(moved))
                                    .build());
                }
            }
        }
        return offset[0];
    }

    private static boolean externalizable(TensorProto t) {
        return OnnxDataTypes.elementSize(t.getDataType()) > 0 && dataSize(t) >= EXTERNAL_THRESHOLD;
    }

    /** Writes one tensor's bytes at the next page boundary and returns the tensor pointing there. */
    private static TensorProto append(
            TensorProto t, Path baseDir, String location, WritableByteChannel channel, long[] offset)
            throws IOException {
        long length = dataSize(t);
        long aligned = (offset[0] + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (aligned > offset[0]) {
            channel.write(ByteBuffer.allocate((int) (aligned - offset[0])));
            offset[0] = aligned;
        }
        ByteBuffer bytes = bytesOf(t, baseDir);
        if (bytes.remaining() != length) {
            throw new MergeNetException(
                    "tensor '" + t.getName() + "' holds " + bytes.remaining() + " bytes but its dims need " + length);
        }
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        TensorProto moved = t.toBuilder()
                .clearRawData()
                .clearFloatData()
                .clearDoubleData()
                .clearInt32Data()
                .clearInt64Data()
                .clearUint64Data()
                .clearExternalData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset[0])))
                .addExternalData(entry("length", Long.toString(length)))
                .build();
        offset[0] += length;
        return moved;
    }

    private static ByteBuffer bytesOf(TensorProto t, Path baseDir) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            ExternalData.Ref ref = ExternalData.resolve(t, "model", baseDir);
            return ExternalData.read(ref, "model", t.getName());
        }
        if (t.hasRawData()) {
            return t.getRawData().asReadOnlyByteBuffer();
        }
        return TensorDecoder.decode(t, "model", baseDir).bytes();
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the original error is what the user needs
        }
    }
}
