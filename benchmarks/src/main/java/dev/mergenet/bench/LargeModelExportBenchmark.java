package dev.mergenet.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.UnsafeByteOperations;
import dev.mergenet.exporters.ExportService;
import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.importers.onnx.ExternalData;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Benchmark (not a test): generates a model above 2 GiB (LAYERS MatMuls of SIZE x SIZE float weights), writes
 * it (external data is chosen automatically), exports it again through the CLI's path (read, stamp, write),
 * checks that every weight byte survived, and runs the result in ONNX Runtime. Prints time and peak memory
 * (resident set via /proc, reset between phases) of each phase.
 *
 * <p>Usage: LargeModelExportBenchmark [DIR=target/large-model] [LAYERS=9] [SIZE=8192] (9 x 8192^2 floats = 2.25 GiB).
 */
public final class LargeModelExportBenchmark {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/large-model");
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 8192;
        Files.createDirectories(dir);
        Path generated = dir.resolve("large.onnx");
        Path exported = dir.resolve("large-exported.onnx");
        for (Path p : List.of(generated, exported)) {
            Files.deleteIfExists(p);
            Files.deleteIfExists(p.resolveSibling(p.getFileName() + ".data"));
        }
        long weightBytes = (long) layers * size * size * 4;
        System.out.printf(
                "model: %d MatMul layers of %dx%d float32 = %.2f GiB of weights%n",
                layers, size, size, weightBytes / (double) (1L << 30));

        resetPeak();
        long t0 = System.nanoTime();
        ModelProto model = generate(layers, size);
        double genS = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        OnnxFileWriter.Written w = OnnxFileWriter.write(model, generated, null, WriteOptions.defaults());
        double writeS = (System.nanoTime() - t0) / 1e9;
        report("generate in memory", genS);
        report("write (external data chosen automatically)", writeS);
        System.out.printf(
                "  -> %s (%d bytes) + %s (%d bytes)%n",
                w.model().getFileName(), w.modelBytes(), w.dataFile().getFileName(), w.dataBytes());
        model = null;
        System.gc();

        resetPeak();
        t0 = System.nanoTime();
        {
            ExportService.Result r = ExportService.export(
                    ExportService.builder(generated, exported).build());
            report("round trip: read + export (mergenet export path)", (System.nanoTime() - t0) / 1e9);
            System.out.printf(
                    "  -> %s (%d bytes) + data (%d bytes)%n",
                    r.file().model().getFileName(),
                    r.file().modelBytes(),
                    r.file().dataBytes());
        }

        resetPeak();
        t0 = System.nanoTime();
        OnnxModel a = OnnxModelReader.read(generated);
        OnnxModel b = OnnxModelReader.read(exported);
        int checked = 0;
        for (int i = 0; i < layers; i++) {
            TensorProto ta = a.proto().getGraph().getInitializer(i);
            TensorProto tb = b.proto().getGraph().getInitializer(i);
            ByteBuffer da =
                    ExternalData.read(ExternalData.resolve(ta, "generated", a.baseDir()), "generated", ta.getName());
            ByteBuffer db =
                    ExternalData.read(ExternalData.resolve(tb, "exported", b.baseDir()), "exported", tb.getName());
            if (!da.equals(db) || da.order(ByteOrder.LITTLE_ENDIAN).getFloat(size * 4 * 17) != value(i, size)) {
                throw new AssertionError("weight " + ta.getName() + " differs after the round trip");
            }
            checked++;
        }
        report("byte comparison of " + checked + " weights (mmap)", (System.nanoTime() - t0) / 1e9);

        resetPeak();
        t0 = System.nanoTime();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            try (OrtSession s = env.createSession(exported.toString(), o)) {
                double loadS = (System.nanoTime() - t0) / 1e9;
                float[] x = new float[size];
                Arrays.fill(x, 1f);
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, size});
                        OrtSession.Result res = s.run(Map.of("x", in))) {
                    float[] y = ((float[][]) res.get(0).getValue())[0];
                    double expected = 1;
                    for (int i = 0; i < layers; i++) {
                        expected *= value(i, size) * size;
                    }
                    for (float v : y) {
                        if (v != (float) expected) {
                            throw new AssertionError("ONNX Runtime output " + v + ", expected " + expected);
                        }
                    }
                }
                report(
                        "ONNX Runtime: load " + String.format("%.1f s", loadS) + " + run, output checked",
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        if (!Boolean.getBoolean("keep")) {
            for (Path p : List.of(generated, exported)) {
                Files.deleteIfExists(p);
                Files.deleteIfExists(p.resolveSibling(p.getFileName() + ".data"));
            }
        }
    }

    /** Every weight of layer i holds one power-of-two multiple of 1/size, so products are exact. */
    private static float value(int layer, int size) {
        return (float) (Math.pow(2, layer % 3 - 1) / size);
    }

    private static ModelProto generate(int layers, int size) {
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("large")
                .addInput(info("x", size))
                .addOutput(info("y", size));
        String prev = "x";
        for (int i = 0; i < layers; i++) {
            ByteBuffer data = ByteBuffer.allocateDirect(size * size * 4).order(ByteOrder.LITTLE_ENDIAN);
            float v = value(i, size);
            while (data.hasRemaining()) {
                data.putFloat(v);
            }
            data.flip();
            String w = "w" + i;
            // wrap, not copy: 2.25 GiB once is enough
            g.addInitializer(TensorProto.newBuilder()
                    .setName(w)
                    .setDataType(TensorProto.DataType.FLOAT_VALUE)
                    .addDims(size)
                    .addDims(size)
                    .setRawData(UnsafeByteOperations.unsafeWrap(data)));
            String out = i == layers - 1 ? "y" : "h" + i;
            g.addNode(NodeProto.newBuilder()
                    .setOpType("MatMul")
                    .setName("matmul" + i)
                    .addInput(prev)
                    .addInput(w)
                    .addOutput(out));
            prev = out;
        }
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("LargeModelExportBenchmark")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g)
                .build();
    }

    private static ValueInfoProto info(String name, int size) {
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(TensorShapeProto.newBuilder()
                                        .addDim(TensorShapeProto.Dimension.newBuilder()
                                                .setDimParam("batch"))
                                        .addDim(TensorShapeProto.Dimension.newBuilder()
                                                .setDimValue(size)))))
                .build();
    }

    /** Linux keeps the peak resident set (VmHWM); writing 5 to clear_refs resets it, so each phase is measured alone. */
    private static void resetPeak() {
        System.gc(); // unmaps buffers of the previous phase so they do not count against this one
        try {
            Thread.sleep(200);
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | InterruptedException e) {
            // not Linux or not allowed: peaks then accumulate across phases
        }
    }

    private static void report(String phase, double seconds) throws IOException {
        long hwm = status("VmHWM:");
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
                "%-55s %7.2f s   peak RSS %5.2f GiB (now: anonymous %5.2f GiB, mapped files %5.2f GiB)"
                        + "   heap %4.2f GiB%n",
                phase,
                seconds,
                hwm / (double) (1L << 30),
                status("RssAnon:") / (double) (1L << 30),
                status("RssFile:") / (double) (1L << 30),
                (rt.totalMemory() - rt.freeMemory()) / (double) (1L << 30));
    }

    private static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
