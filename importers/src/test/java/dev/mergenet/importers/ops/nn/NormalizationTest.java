package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.dims;
import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Normalization ops against ONNX Runtime, BatchNormalization's training behaviour, and gradients. */
class NormalizationTest {
    private static final double ATOL = 1e-4;
    private static final double RTOL = 1e-4;

    /** Positive variances (the 5th input) so inference-mode inputs are valid. */
    private static GradientCheck.InputMaker batchNormInputs(long seed, DataType type, long[] x, long c) {
        return m -> {
            Random rnd = new Random(seed);
            NDList list = new NDList(NodeCases.uniform(m, rnd, type, x, -2, 2));
            list.add(NodeCases.uniform(m, rnd, type, dims(c), 0.5, 1.5));
            list.add(NodeCases.uniform(m, rnd, type, dims(c), -1, 1));
            list.add(NodeCases.uniform(m, rnd, type, dims(c), -0.5, 0.5));
            list.add(NodeCases.uniform(m, rnd, type, dims(c), 0.5, 2));
            return list;
        };
    }

    @Test
    void batchNormalizationInferenceMatchesOrt() {
        long[][] shapes = {dims(2, 3, 4, 5), dims(3), dims(3), dims(3), dims(3)};
        for (int opset : new int[] {9, 15}) {
            OrtCheck.assertMatchesOrt(
                    NodeCases.model("BatchNormalization", opset, FLOAT, shapes, 1, floatAttr("epsilon", 1e-3f)),
                    batchNormInputs(21, DataType.FLOAT32, shapes[0], 3),
                    ATOL,
                    RTOL);
        }
    }

    @Test
    void batchNormalizationNonSpatialVersion7MatchesOrt() {
        long[] x = dims(2, 3, 2, 2);
        long[][] shapes = {x, dims(3, 2, 2), dims(3, 2, 2), dims(3, 2, 2), dims(3, 2, 2)};
        GradientCheck.InputMaker inputs = m -> {
            Random rnd = new Random(20);
            NDList list = new NDList(NodeCases.uniform(m, rnd, DataType.FLOAT32, x, -2, 2));
            for (int i = 1; i < 5; i++) {
                list.add(NodeCases.uniform(m, rnd, DataType.FLOAT32, shapes[i], i == 4 ? 0.5 : -1, i == 4 ? 2 : 1));
            }
            return list;
        };
        OrtCheck.assertMatchesOrt(
                NodeCases.model("BatchNormalization", 7, FLOAT, shapes, 1, intAttr("spatial", 0)), inputs, ATOL, RTOL);
    }

    @Test
    void batchNormalizationTrainsWithBatchStatisticsAndUpdatesRunningStatsInPlace() {
        float[] mean0 = {0.1f, -0.2f};
        float[] var0 = {1.5f, 0.5f};
        GraphProto g = GraphProto.newBuilder()
                .setName("bn")
                .addNode(Models.node(
                        "BatchNormalization",
                        new String[] {"x", "s", "b", "m", "v"},
                        new String[] {"y"},
                        floatAttr("momentum", 0.8f)))
                .addInitializer(Models.floats("s", dims(2), 2f, 0.5f))
                .addInitializer(Models.floats("b", dims(2), 0.25f, -1f))
                .addInitializer(Models.floats("m", dims(2), mean0))
                .addInitializer(Models.floats("v", dims(2), var0))
                .addInput(Models.value("x", FLOAT, 3, 2, 2))
                .addOutput(Models.value("y", FLOAT))
                .build();
        ModelProto proto = Models.model(g, 15);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(proto.toByteArray()), m);
            float[] x = new float[12];
            Random rnd = new Random(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            NDArray input = m.create(x, new Shape(3, 2, 2));
            float[] y = block.forward(new ParameterStore(m, false), new NDList(input), true)
                    .head()
                    .toFloatArray();
            float[] scale = {2f, 0.5f};
            float[] bias = {0.25f, -1f};
            for (int c = 0; c < 2; c++) {
                double sum = 0;
                for (int n = 0; n < 3; n++) {
                    for (int k = 0; k < 2; k++) {
                        sum += x[n * 4 + c * 2 + k];
                    }
                }
                double mean = sum / 6;
                double sq = 0;
                for (int n = 0; n < 3; n++) {
                    for (int k = 0; k < 2; k++) {
                        sq += Math.pow(x[n * 4 + c * 2 + k] - mean, 2);
                    }
                }
                double biased = sq / 6;
                for (int n = 0; n < 3; n++) {
                    for (int k = 0; k < 2; k++) {
                        int i = n * 4 + c * 2 + k;
                        double expected = (x[i] - mean) / Math.sqrt(biased + 1e-5) * scale[c] + bias[c];
                        assertEquals(expected, y[i], 1e-5, "y[" + i + "]");
                    }
                }
                float runningMean = block.parameter("m").getArray().toFloatArray()[c];
                float runningVar = block.parameter("v").getArray().toFloatArray()[c];
                assertEquals(0.8 * mean0[c] + 0.2 * mean, runningMean, 1e-6, "running mean " + c);
                assertEquals(0.8 * var0[c] + 0.2 * sq / 5, runningVar, 1e-6, "running var (unbiased) " + c);
            }
            float[] meanAfterTraining = block.parameter("m").getArray().toFloatArray();
            block.forward(new ParameterStore(m, false), new NDList(input), false);
            assertArrayEquals(
                    meanAfterTraining,
                    block.parameter("m").getArray().toFloatArray(),
                    "inference must not move the running statistics");
        }
    }

    @Test
    void batchNormalizationExportedInTrainModeNamesTheUpdatedStatisticsAndMatchesTheCheckedGradients() {
        // PyTorch's train-mode export: training_mode=1, and the running mean and variance as outputs 1 and 2
        float[] mean0 = {0.1f, -0.2f, 0.3f};
        float[] var0 = {1.5f, 0.5f, 2f};
        GraphProto g = GraphProto.newBuilder()
                .setName("bn")
                .addNode(Models.node(
                        "BatchNormalization",
                        new String[] {"x", "s", "b", "m", "v"},
                        new String[] {"y", "rm", "rv"},
                        intAttr("training_mode", 1),
                        floatAttr("momentum", 0.8f)))
                .addInitializer(Models.floats("m", dims(3), mean0))
                .addInitializer(Models.floats("v", dims(3), var0))
                .addInput(Models.value("x", FLOAT, 4, 3, 2, 3))
                .addInput(Models.value("s", FLOAT, 3))
                .addInput(Models.value("b", FLOAT, 3))
                .addOutput(Models.value("y", FLOAT))
                .addOutput(Models.value("rm", FLOAT))
                .addOutput(Models.value("rv", FLOAT))
                .build();
        ModelProto proto = Models.model(g, 15);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(proto.toByteArray()), m);
            NDList in = NodeCases.random(50, DataType.FLOAT32, dims(4, 3, 2, 3), dims(3), dims(3))
                    .make(m);
            float[] x = in.get(0).toFloatArray();
            NDList out = block.forward(new ParameterStore(m, false), in, true);
            float[] rm = out.get(1).toFloatArray();
            float[] rv = out.get(2).toFloatArray();
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                double sq = 0;
                for (int n = 0; n < 4; n++) {
                    for (int k = 0; k < 6; k++) {
                        sum += x[n * 18 + c * 6 + k];
                    }
                }
                double mean = sum / 24;
                for (int n = 0; n < 4; n++) {
                    for (int k = 0; k < 6; k++) {
                        sq += Math.pow(x[n * 18 + c * 6 + k] - mean, 2);
                    }
                }
                assertEquals(0.8 * mean0[c] + 0.2 * mean, rm[c], 1e-6, "running mean output " + c);
                assertEquals(0.8 * var0[c] + 0.2 * sq / 23, rv[c], 1e-5, "running var output (unbiased) " + c);
            }
            assertArrayEquals(rm, block.parameter("m").getArray().toFloatArray(), "outputs are the updated parameters");
            assertArrayEquals(rv, block.parameter("v").getArray().toFloatArray(), "outputs are the updated parameters");
        }
        // same gradients as the composite path (training_mode=1 at inference), checked against finite differences
        float[] fused = trainingGradients(proto, true);
        float[] composite = trainingGradients(batchNormWithStats(true), false);
        for (int i = 0; i < fused.length; i++) {
            assertEquals(composite[i], fused[i], 1e-4, "gradient element " + i);
        }
    }

    @Test
    void batchNormalizationGradientsMatchFiniteDifferencesInBothModes() {
        long[][] shapes = {dims(3, 2, 2, 2), dims(2), dims(2), dims(2), dims(2)};
        GradientCheck.InputMaker inputs = batchNormInputs(22, DataType.FLOAT64, shapes[0], 2);
        GradientCheck.assertGradients(
                NodeCases.model("BatchNormalization", 15, DOUBLE, shapes, 1), inputs, new int[] {0, 1, 2, 3, 4}, 1e-5);
        GradientCheck.assertGradients(
                NodeCases.model("BatchNormalization", 15, DOUBLE, shapes, 1, intAttr("training_mode", 1)),
                inputs,
                new int[] {0, 1, 2},
                1e-5);
    }

    /** x, scale and bias as graph inputs; running statistics as initializers (so they are parameters). */
    private static ModelProto batchNormWithStats(boolean trainingModeAttribute) {
        var node = trainingModeAttribute
                ? Models.node(
                        "BatchNormalization",
                        new String[] {"x", "s", "b", "m", "v"},
                        new String[] {"y"},
                        intAttr("training_mode", 1))
                : Models.node("BatchNormalization", new String[] {"x", "s", "b", "m", "v"}, new String[] {"y"});
        GraphProto g = GraphProto.newBuilder()
                .setName("bn")
                .addNode(node)
                .addInitializer(Models.floats("m", dims(3), 0.1f, -0.2f, 0.3f))
                .addInitializer(Models.floats("v", dims(3), 1.5f, 0.5f, 2f))
                .addInput(Models.value("x", FLOAT, 4, 3, 2, 3))
                .addInput(Models.value("s", FLOAT, 3))
                .addInput(Models.value("b", FLOAT, 3))
                .addOutput(Models.value("y", FLOAT))
                .build();
        return Models.model(g, 15);
    }

    /** Gradients of sum(y * r) with respect to x, scale and bias, concatenated. */
    private static float[] trainingGradients(ModelProto proto, boolean djlTraining) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(proto.toByteArray()), m);
            NDList in = NodeCases.random(50, DataType.FLOAT32, dims(4, 3, 2, 3), dims(3), dims(3))
                    .make(m);
            NDArray r = NodeCases.random(51, DataType.FLOAT32, dims(4, 3, 2, 3))
                    .make(m)
                    .head();
            in.forEach(a -> a.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(m, false), in, djlTraining)
                        .head();
                gc.backward(y.mul(r).sum());
            }
            return NDArrays.concat(new NDList(
                            in.get(0).getGradient().flatten(),
                            in.get(1).getGradient(),
                            in.get(2).getGradient()))
                    .toFloatArray();
        }
    }

    @Test
    void batchNormalizationFusedTrainingGradientsEqualTheCheckedCompositeOnes() {
        // DJL training runs the engine's fused kernel; training_mode=1 at inference runs the composite path,
        // whose gradients batchNormalizationGradientsMatchFiniteDifferencesInBothModes checks.
        float[] fused = trainingGradients(batchNormWithStats(false), true);
        float[] composite = trainingGradients(batchNormWithStats(true), false);
        assertEquals(composite.length, fused.length);
        for (int i = 0; i < fused.length; i++) {
            assertEquals(composite[i], fused[i], 1e-4, "gradient element " + i);
        }
    }

    @Test
    void instanceLayerLrnAndMvnMatchOrt() {
        long[][] inst = {dims(2, 3, 4, 5), dims(3), dims(3)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("InstanceNormalization", 6, FLOAT, inst, 1, floatAttr("epsilon", 1e-3f)),
                NodeCases.random(23, DataType.FLOAT32, inst),
                ATOL,
                RTOL);
        long[][] layer = {dims(2, 3, 4, 5), dims(4, 5), dims(4, 5)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("LayerNormalization", 17, FLOAT, layer, 3, intAttr("axis", -2)),
                NodeCases.random(24, DataType.FLOAT32, layer),
                ATOL,
                RTOL);
        long[][] one = {dims(2, 6, 3, 3)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "LRN",
                        13,
                        FLOAT,
                        one,
                        1,
                        intAttr("size", 5),
                        floatAttr("alpha", 0.01f),
                        floatAttr("beta", 0.6f),
                        floatAttr("bias", 1.5f)),
                NodeCases.random(25, DataType.FLOAT32, one),
                ATOL,
                RTOL);
        OrtCheck.assertMatchesOrt(
                NodeCases.model("MeanVarianceNormalization", 13, FLOAT, one, 1, ints("axes", 1, 3)),
                NodeCases.random(26, DataType.FLOAT32, one),
                ATOL,
                RTOL);
    }

    @Test
    void groupNormalizationMatchesOrtInBothVersions() {
        long[][] perGroup = {dims(2, 6, 3, 4), dims(3), dims(3)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "GroupNormalization",
                        18,
                        FLOAT,
                        perGroup,
                        1,
                        intAttr("num_groups", 3),
                        floatAttr("epsilon", 1e-3f)),
                NodeCases.random(34, DataType.FLOAT32, perGroup),
                ATOL,
                RTOL);
        long[][] perChannel = {dims(2, 6, 3, 4), dims(6), dims(6)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("GroupNormalization", 21, FLOAT, perChannel, 1, intAttr("num_groups", 2)),
                NodeCases.random(35, DataType.FLOAT32, perChannel),
                ATOL,
                RTOL);
        GradientCheck.assertGradients(
                NodeCases.model(
                        "GroupNormalization",
                        21,
                        DOUBLE,
                        new long[][] {dims(1, 4, 2, 3), dims(4), dims(4)},
                        1,
                        intAttr("num_groups", 2)),
                NodeCases.random(36, DataType.FLOAT64, dims(1, 4, 2, 3), dims(4), dims(4)),
                new int[] {0, 1, 2},
                1e-5);
    }

    @Test
    void lpAndRmsNormalizationMatchOrtAndPassGradients() {
        long[][] one = {dims(2, 3, 4)};
        for (int p = 1; p <= 2; p++) {
            OrtCheck.assertMatchesOrt(
                    NodeCases.model("LpNormalization", 13, FLOAT, one, 1, intAttr("axis", 1), intAttr("p", p)),
                    NodeCases.random(37, DataType.FLOAT32, one),
                    ATOL,
                    RTOL);
            GradientCheck.assertGradients(
                    NodeCases.model("LpNormalization", 13, DOUBLE, one, 1, intAttr("p", p)),
                    NodeCases.random(38, DataType.FLOAT64, one),
                    new int[] {0},
                    1e-5);
        }
        long[][] rms = {dims(2, 3, 4), dims(3, 4)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("RMSNormalization", 23, FLOAT, rms, 1, intAttr("axis", 1)),
                NodeCases.random(39, DataType.FLOAT32, rms),
                ATOL,
                RTOL);
        GradientCheck.assertGradients(
                NodeCases.model("RMSNormalization", 23, DOUBLE, rms, 1, intAttr("axis", 1)),
                NodeCases.random(40, DataType.FLOAT64, rms),
                new int[] {0, 1},
                1e-5);
    }

    @Test
    void instanceLayerLrnAndMvnGradientsMatchFiniteDifferences() {
        long[][] inst = {dims(2, 2, 3, 2), dims(2), dims(2)};
        GradientCheck.assertGradients(
                NodeCases.model("InstanceNormalization", 6, DOUBLE, inst, 1),
                NodeCases.random(27, DataType.FLOAT64, inst),
                new int[] {0, 1, 2},
                1e-5);
        long[][] layer = {dims(2, 3, 4), dims(3, 4), dims(3, 4)};
        GradientCheck.assertGradients(
                NodeCases.model("LayerNormalization", 17, DOUBLE, layer, 3, intAttr("axis", 1)),
                NodeCases.random(28, DataType.FLOAT64, layer),
                new int[] {0, 1, 2},
                1e-5);
        long[][] one = {dims(1, 5, 2, 2)};
        GradientCheck.assertGradients(
                NodeCases.model("LRN", 13, DOUBLE, one, 1, intAttr("size", 4)),
                NodeCases.random(29, DataType.FLOAT64, one),
                new int[] {0},
                1e-5);
        GradientCheck.assertGradients(
                NodeCases.model("MeanVarianceNormalization", 13, DOUBLE, one, 1),
                NodeCases.random(30, DataType.FLOAT64, one),
                new int[] {0},
                1e-5);
    }
}
