package dev.mergenet.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.onnx.Onnx;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Import time and peak memory for a generated model of about SIZE_MB megabytes (an MLP of Gemm layers).
 * Usage: ImportBenchmark [SIZE_MB=500] [REPEATS=3]
 */
public final class ImportBenchmark {
    public static void main(String[] args) throws Exception {
        int sizeMb = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("mergenet-import-bench");
        Path file = dir.resolve("mlp.onnx");
        generate(file, sizeMb);
        long fileBytes = Files.size(file);
        System.out.printf("model: %s (%s)%n", file, Memory.mib(fileBytes));
        try (NDManager manager = TorchEngine.newManager(Device.cpu())) {
            manager.zeros(new Shape(1)); // load the engine outside the measurement
            for (int r = 0; r < repeats; r++) {
                Memory.resetPeaks();
                long baseline = Memory.usedHeapBytes();
                long t0 = System.nanoTime();
                OnnxGraphBlock block;
                try (NDManager sub = manager.newSubManager()) {
                    block = OnnxImporter.load(file, sub);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    long heap = Memory.peakHeapBytes();
                    long rss = Memory.peakRssBytes();
                    System.out.printf(
                            "import %d: %.2f s, peak heap %s (%.2fx model; %s in use before), peak RSS %s,"
                                    + " %d parameters%n",
                            r + 1,
                            seconds,
                            Memory.mib(heap),
                            heap / (double) fileBytes,
                            Memory.mib(baseline),
                            Memory.mib(rss),
                            block.onnxParameters().size());
                    block.close();
                }
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /** Square Gemm layers of width 4096 (64 MiB of float weights each) until the size is reached. */
    static void generate(Path file, int sizeMb) throws Exception {
        int width = 4096;
        long perLayer = (long) width * width * 4;
        int layers = (int) Math.max(1, Math.round(sizeMb * 1024.0 * 1024.0 / perLayer));
        GraphProto.Builder g = GraphProto.newBuilder().setName("mlp");
        g.addInput(value("x", width));
        Random rnd = new Random(0);
        String prev = "x";
        for (int i = 0; i < layers; i++) {
            ByteBuffer w = ByteBuffer.allocate((int) perLayer).order(ByteOrder.LITTLE_ENDIAN);
            float scale = (float) (1 / Math.sqrt(width));
            while (w.hasRemaining()) {
                w.putFloat((rnd.nextFloat() * 2 - 1) * scale);
            }
            w.flip();
            g.addInitializer(TensorProto.newBuilder()
                    .setName("fc" + i + ".weight")
                    .setDataType(1)
                    .addDims(width)
                    .addDims(width)
                    .setRawData(ByteString.copyFrom(w)));
            g.addInitializer(TensorProto.newBuilder()
                    .setName("fc" + i + ".bias")
                    .setDataType(1)
                    .addDims(width)
                    .setRawData(ByteString.copyFrom(new byte[width * 4])));
            String out = "h" + i;
            g.addNode(NodeProto.newBuilder()
                    .setOpType("Gemm")
                    .setName("fc" + i)
                    .addInput(prev)
                    .addInput("fc" + i + ".weight")
                    .addInput("fc" + i + ".bias")
                    .addOutput(out)
                    .addAttribute(Onnx.AttributeProto.newBuilder()
                            .setName("transB")
                            .setI(1)
                            .setType(Onnx.AttributeProto.AttributeType.INT)));
            prev = out;
        }
        g.addOutput(value(prev, width));
        ModelProto m = ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("mergenet-bench")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(g)
                .build();
        try (OutputStream out = Files.newOutputStream(file)) {
            m.writeTo(out);
        }
    }

    private static ValueInfoProto value(String name, int width) {
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(1)
                                .setShape(TensorShapeProto.newBuilder()
                                        .addDim(TensorShapeProto.Dimension.newBuilder()
                                                .setDimParam("batch"))
                                        .addDim(TensorShapeProto.Dimension.newBuilder()
                                                .setDimValue(width)))))
                .build();
    }
}
