package dev.mergenet.transfer.mergenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.transfer.model.OnnxClassifier;
import dev.mergenet.transfer.model.OnnxWeightsOnly;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** `--pairs auto` on imported models says which layers it took and why; suggestions are by edit distance. */
class PairSpecTest {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;

    @Test
    void autoPrintsWhyItTookEachSide() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxClassifier target =
                    new OnnxClassifier(OnnxImporter.load(OnnxModelReader.read(target().toByteArray()), m), true);
            OnnxWeightsOnly source = new OnnxWeightsOnly(OnnxModelReader.read(source().toByteArray()), m);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            List<PairSpec> pairs = PairSpec.resolve(
                    List.of("auto"), target, source, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertEquals(new PairSpec("onnx::MatMul_7", "fc.weight"), pairs.get(0));
            String log = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(
                    log.contains("pairs auto: why: target block.0.fc1 (MatMul '/block/block.0/fc1/MatMul') is a"
                            + " pointwise (1x1 conv or linear) weight whose output feeds a BatchNormalization"),
                    log);
            assertTrue(
                    log.contains(
                            "source fc (Gemm '/fc/Gemm') is a Gemm/MatMul weight; the last one is the" + " classifier"),
                    log);
            // the frozen source ranks as `mergenet pairs` shows it: classifier, then the conv, then the rest
            assertEquals(List.of("fc.weight", "onnx::Conv_5", "fc.w"), TransferCandidates.names(source, false));
        }
    }

    @Test
    void closestNamesAreByLevenshteinDistance() {
        List<String> known = List.of("conv1.bias", "layer2.0.conv1.weight", "fc.w", "fc.weight", "fc.bias");
        // a transposed pair of letters is distance 2; fc.w, a prefix of the typo, is distance 5
        assertEquals(List.of("fc.weight", "fc.bias", "fc.w"), NameSuggestions.closest("fc.weigth", known, 3));
        assertEquals(List.of("layer2.0.conv1.weight"), NameSuggestions.closest("Layer2.0.Conv1.Weight", known, 1));
        assertEquals(3, NameSuggestions.distance("kitten", "sitting"));
    }

    /** x[N,4] -> MatMul (input-major weight) -> BatchNormalization -> Relu -> Gemm(transB) head. */
    private static Onnx.ModelProto target() {
        Random r = new Random(1);
        GraphProto g = GraphProto.newBuilder()
                .setName("target")
                .addInitializer(Models.floats("onnx::MatMul_7", new long[] {4, 8}, random(r, 32)))
                .addInitializer(Models.floats("bn.weight", new long[] {8}, random(r, 8)))
                .addInitializer(Models.floats("bn.bias", new long[] {8}, random(r, 8)))
                .addInitializer(Models.floats("bn.running_mean", new long[] {8}, new float[8]))
                .addInitializer(Models.floats("bn.running_var", new long[] {8}, 1, 1, 1, 1, 1, 1, 1, 1))
                .addInitializer(Models.floats("head.weight", new long[] {3, 8}, random(r, 24)))
                .addInitializer(Models.floats("head.bias", new long[] {3}, random(r, 3)))
                .addNode(node("MatMul", "/block/block.0/fc1/MatMul", "h", "x", "onnx::MatMul_7"))
                .addNode(node(
                        "BatchNormalization",
                        "/block/block.0/bn/BatchNormalization",
                        "hb",
                        "h",
                        "bn.weight",
                        "bn.bias",
                        "bn.running_mean",
                        "bn.running_var"))
                .addNode(node("Relu", "/block/block.0/act/Relu", "hr", "hb"))
                .addNode(node("Gemm", "/head/Gemm", "y", "hr", "head.weight", "head.bias").toBuilder()
                        .addAttribute(Models.intAttr("transB", 1))
                        .build())
                .addInput(Models.value("x", FLOAT, 2, 4))
                .addOutput(Models.value("y", FLOAT, 2, 3))
                .build();
        return Models.model(g, 13);
    }

    /** x[N,2,5,5] -> Conv 3x3 -> Flatten -> Gemm(transB) classifier, plus an unused matrix. */
    private static Onnx.ModelProto source() {
        Random r = new Random(2);
        GraphProto g = GraphProto.newBuilder()
                .setName("source")
                .addInitializer(Models.floats("fc.w", new long[] {2, 2}, random(r, 4)))
                .addInitializer(Models.floats("onnx::Conv_5", new long[] {6, 2, 3, 3}, random(r, 108)))
                .addInitializer(Models.floats("fc.weight", new long[] {3, 54}, random(r, 162)))
                .addInitializer(Models.floats("fc.bias", new long[] {3}, random(r, 3)))
                .addNode(node("Conv", "/layer1/layer1.0/conv1/Conv", "c", "x", "onnx::Conv_5"))
                .addNode(node("Flatten", "/Flatten", "f", "c"))
                .addNode(node("Gemm", "/fc/Gemm", "y", "f", "fc.weight", "fc.bias").toBuilder()
                        .addAttribute(Models.intAttr("transB", 1))
                        .build())
                .addInput(Models.value("x", FLOAT, 1, 2, 5, 5))
                .addOutput(Models.value("y", FLOAT, 1, 3))
                .build();
        return Models.model(g, 13);
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static NodeProto node(String op, String name, String output, String... inputs) {
        return Models.node(op, inputs, new String[] {output}).toBuilder()
                .setName(name)
                .build();
    }
}
