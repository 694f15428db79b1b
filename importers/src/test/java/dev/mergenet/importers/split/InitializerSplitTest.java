package dev.mergenet.importers.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ImportOptions;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Value-merged initializers as PyTorch's eval-mode export writes them (one all-ones and one all-zeros tensor
 * handed out through Identity nodes as every BatchNorm's weight, bias, running mean and variance) import as
 * independent tensors; true tying (one name read directly by several nodes) stays shared.
 */
class InitializerSplitTest {
    private static final int C = 4;
    private static final int N = 6;

    /** x[N,4] -> bn0 -> Relu -> bn1 -> y, all eight BatchNorm inputs from "w" (ones) and "b" (zeros). */
    static ModelProto mergedBatchNorms() {
        GraphProto g = GraphProto.newBuilder()
                .setName("merged")
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, N, C))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE, N, C))
                .addInitializer(Models.floats("w", new long[] {C}, 1, 1, 1, 1))
                .addInitializer(Models.floats("b", new long[] {C}, 0, 0, 0, 0))
                .addNode(identity("b", "bn1.running_mean"))
                .addNode(identity("w", "bn1.running_var"))
                .addNode(identity("b", "bn1.bias"))
                .addNode(identity("w", "bn1.weight"))
                .addNode(identity("b", "bn0.running_mean"))
                .addNode(identity("w", "bn0.running_var"))
                .addNode(named(
                        Models.node(
                                "BatchNormalization",
                                new String[] {"x", "w", "b", "bn0.running_mean", "bn0.running_var"},
                                new String[] {"h0"}),
                        "bn0"))
                .addNode(named(Models.node("Relu", new String[] {"h0"}, new String[] {"r"}), "relu"))
                .addNode(named(
                        Models.node(
                                "BatchNormalization",
                                new String[] {"r", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"},
                                new String[] {"y"}),
                        "bn1"))
                .build();
        return Models.model(g, 15);
    }

    private static NodeProto identity(String in, String out) {
        return named(Models.node("Identity", new String[] {in}, new String[] {out}), "Identity_" + out);
    }

    private static NodeProto named(NodeProto n, String name) {
        return n.toBuilder().setName(name).build();
    }

    @Test
    void identityAliasesBecomeTheirOwnTensorsWithTheirRoles() {
        InitializerSplit plan = InitializerSplit.plan(mergedBatchNorms().getGraph(), Set.of());
        Map<String, SplitTensor.Role> roles =
                plan.splits().stream().collect(Collectors.toMap(SplitTensor::name, SplitTensor::role));
        assertEquals(
                Map.of(
                        "bn1.running_mean",
                        SplitTensor.Role.RUNNING_STATISTIC,
                        "bn1.running_var",
                        SplitTensor.Role.RUNNING_STATISTIC,
                        "bn1.bias",
                        SplitTensor.Role.PARAMETER,
                        "bn1.weight",
                        SplitTensor.Role.PARAMETER,
                        "bn0.running_mean",
                        SplitTensor.Role.RUNNING_STATISTIC,
                        "bn0.running_var",
                        SplitTensor.Role.RUNNING_STATISTIC),
                roles);
        assertEquals(List.of("bn1"), plan.split("bn1.weight").consumers());
        assertEquals("w", plan.split("bn0.running_var").source());
        assertEquals(Set.of("w", "b"), plan.valueMerged().keySet());
        GraphProto run = plan.materialiseAll(mergedBatchNorms().getGraph());
        assertEquals(
                List.of("BatchNormalization", "Relu", "BatchNormalization"),
                run.getNodeList().stream().map(NodeProto::getOpType).toList());
        assertEquals(8, run.getInitializerCount());
    }

    @Test
    void trainingUpdatesEachRunningStatisticAndNoWeight() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            try (OnnxGraphBlock block =
                    OnnxImporter.load(OnnxModelReader.read(mergedBatchNorms().toByteArray(), "merged", null), m)) {
                Map<String, Parameter> p = block.onnxParameters();
                assertEquals(
                        Set.of(
                                "w",
                                "b",
                                "bn1.weight",
                                "bn1.bias",
                                "bn0.running_mean",
                                "bn0.running_var",
                                "bn1.running_mean",
                                "bn1.running_var"),
                        p.keySet());
                for (String stat :
                        List.of("bn0.running_mean", "bn0.running_var", "bn1.running_mean", "bn1.running_var")) {
                    assertFalse(p.get(stat).requiresGradient(), stat);
                }
                for (String weight : List.of("w", "b", "bn1.weight", "bn1.bias")) {
                    assertTrue(p.get(weight).requiresGradient(), weight);
                }
                float[] x = new float[N * C];
                Random rnd = new Random(3);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rnd.nextGaussian() * 2 + 1);
                }
                block.forward(new ParameterStore(m, false), new NDList(m.create(x, new Shape(N, C))), true);
                // the statistics move by (1 - momentum) towards the batch's, PyTorch style (unbiased variance)
                float[] mean = new float[C];
                float[] var = new float[C];
                for (int c = 0; c < C; c++) {
                    double s = 0;
                    for (int n = 0; n < N; n++) {
                        s += x[n * C + c];
                    }
                    double mu = s / N;
                    double ss = 0;
                    for (int n = 0; n < N; n++) {
                        ss += (x[n * C + c] - mu) * (x[n * C + c] - mu);
                    }
                    mean[c] = (float) (0.1 * mu);
                    var[c] = (float) (0.9 + 0.1 * ss / (N - 1));
                }
                assertArrayEquals(mean, p.get("bn0.running_mean").getArray().toFloatArray(), 1e-5f);
                assertArrayEquals(var, p.get("bn0.running_var").getArray().toFloatArray(), 1e-5f);
                assertArrayEquals(
                        new float[] {1, 1, 1, 1}, p.get("w").getArray().toFloatArray());
                assertArrayEquals(
                        new float[] {0, 0, 0, 0}, p.get("b").getArray().toFloatArray());
                assertArrayEquals(
                        new float[] {1, 1, 1, 1}, p.get("bn1.weight").getArray().toFloatArray());
                assertArrayEquals(
                        new float[] {0, 0, 0, 0}, p.get("bn1.bias").getArray().toFloatArray());
            }
        }
    }

    @Test
    void untrainedSplitImportMatchesOnnxRuntime() {
        ModelProto model = mergedBatchNorms();
        float[] x = new float[N * C];
        Random rnd = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            float[] expected;
            try (OrtRunner ort = new OrtRunner(model.toByteArray(), "merged")) {
                expected = ort.run(Map.of("x", OrtCheck.host("x", m.create(x, new Shape(N, C)))))
                        .get("y")
                        .toNDArray(m)
                        .toFloatArray();
            }
            try (OnnxGraphBlock block =
                    OnnxImporter.load(OnnxModelReader.read(model.toByteArray(), "merged", null), m)) {
                NDArray y = block.forward(new ParameterStore(m, false), new NDList(m.create(x, new Shape(N, C))), false)
                        .head();
                assertArrayEquals(expected, y.toFloatArray(), 1e-5f);
            }
        }
    }

    @Test
    void keepTiedLeavesParameterAliasesSharedButNeverStatistics() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxModel model = OnnxModelReader.read(mergedBatchNorms().toByteArray(), "merged", null);
            try (OnnxGraphBlock block = OnnxImporter.load(model, m, new ImportOptions(Set.of("bn1.weight")))) {
                assertEquals(Set.of("bn1.weight"), block.split().keptTied());
                assertFalse(block.onnxParameters().containsKey("bn1.weight"));
                assertTrue(block.onnxParameters().containsKey("bn1.bias"));
                assertTrue(block.onnxParameters().containsKey("bn1.running_var"));
            }
            MergeNetException e = assertThrows(
                    MergeNetException.class,
                    () -> OnnxImporter.load(model, m, new ImportOptions(Set.of("bn1.wieght"))));
            assertTrue(e.getMessage().contains("merged") && e.getMessage().contains("bn1.wieght"), e.getMessage());
        }
    }

    /** One initializer read directly as BatchNorm scale and as running variance, and by two Gemms (tied). */
    @Test
    void directlySharedStatisticGetsACopyAndDirectTyingStays() {
        GraphProto g = GraphProto.newBuilder()
                .setName("direct")
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 2, C))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE, 2, C))
                .addInitializer(Models.floats("s", new long[] {C}, 1, 1, 1, 1))
                .addInitializer(Models.floats("z", new long[] {C}, 0, 0, 0, 0))
                .addInitializer(Models.floats("W", new long[] {C, C}, new float[C * C]))
                .addNode(named(Models.node("Gemm", new String[] {"x", "W"}, new String[] {"a"}), "fc1"))
                .addNode(named(Models.node("Gemm", new String[] {"a", "W"}, new String[] {"h"}), "fc2"))
                .addNode(named(
                        Models.node("BatchNormalization", new String[] {"h", "s", "z", "z", "s"}, new String[] {"y"}),
                        "bn"))
                .build();
        InitializerSplit plan = InitializerSplit.plan(g, Set.of());
        assertEquals(
                Set.of("bn/running_mean", "bn/running_var"),
                plan.splits().stream().map(SplitTensor::name).collect(Collectors.toSet()));
        assertEquals(SplitTensor.Kind.SHARED_INPUT, plan.split("bn/running_var").kind());
        GraphProto run = plan.materialiseAll(g);
        assertEquals(
                List.of("h", "s", "z", "bn/running_mean", "bn/running_var"),
                run.getNode(2).getInputList());
        assertEquals("W", run.getNode(1).getInput(1));
        assertSame(g, plan.apply(g, Map.of()));
        assertNotSame(g, run);
    }
}
