package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.INT64;
import static dev.mergenet.importers.ops.nn.NodeCases.dims;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.stringAttr;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pooling ops against ONNX Runtime (ceil mode with pads, dilations, indices) and their gradients. */
class PoolingTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-5;

    @Test
    void maxPoolWithCeilModePadsDilationsAndIndicesMatchesOrt() {
        long[][] shapes = {dims(2, 3, 9, 8)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "MaxPool",
                        12,
                        FLOAT,
                        shapes,
                        new int[] {FLOAT, INT64},
                        ints("kernel_shape", 3, 2),
                        ints("strides", 2, 3),
                        ints("pads", 1, 0, 1, 1),
                        ints("dilations", 1, 2),
                        intAttr("ceil_mode", 1)),
                NodeCases.random(11, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
    }

    @Test
    void maxPool3dSameLowerMatchesOrt() {
        long[][] shapes = {dims(1, 2, 5, 4, 6)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "MaxPool",
                        12,
                        FLOAT,
                        shapes,
                        1,
                        ints("kernel_shape", 2, 3, 2),
                        ints("strides", 2, 1, 2),
                        stringAttr("auto_pad", "SAME_LOWER")),
                NodeCases.random(12, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
    }

    @Test
    void averagePoolWithCeilModeAndPadsMatchesOrt() {
        long[][] shapes = {dims(2, 2, 7, 6)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "AveragePool",
                        11,
                        FLOAT,
                        shapes,
                        1,
                        ints("kernel_shape", 3, 3),
                        ints("strides", 2, 2),
                        ints("pads", 1, 2, 1, 0),
                        intAttr("ceil_mode", 1)),
                NodeCases.random(13, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
        // Symmetric pads here: ONNX Runtime 1.23 clamps count_include_pad windows with the wrong pad index when
        // begin and end pads differ (microsoft/onnxruntime#26708); PyTorch and the ONNX reference agree with us.
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "AveragePool",
                        11,
                        FLOAT,
                        shapes,
                        1,
                        ints("kernel_shape", 3, 3),
                        ints("strides", 2, 2),
                        ints("pads", 1, 2, 1, 2),
                        intAttr("ceil_mode", 1),
                        intAttr("count_include_pad", 1)),
                NodeCases.random(13, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
    }

    @Test
    void lpPoolAndGlobalPoolsMatchOrt() {
        long[][] shapes = {dims(2, 3, 6, 5)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "LpPool",
                        11,
                        FLOAT,
                        shapes,
                        1,
                        ints("kernel_shape", 2, 3),
                        ints("strides", 2, 1),
                        ints("pads", 1, 1, 0, 1),
                        intAttr("p", 3)),
                NodeCases.random(14, DataType.FLOAT32, shapes),
                1e-4,
                1e-4);
        for (String op : new String[] {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}) {
            OrtCheck.assertMatchesOrt(
                    NodeCases.model(op, 11, FLOAT, shapes, 1),
                    NodeCases.random(15, DataType.FLOAT32, shapes),
                    1e-4,
                    1e-4);
        }
    }

    private static GradientCheck.InputMaker unpoolInputs(DataType type) {
        return m -> new NDList(
                NodeCases.uniform(m, new Random(17), type, dims(1, 2, 2, 2), -1, 1),
                m.create(new long[] {0, 3, 9, 14, 17, 22, 24, 31}, new Shape(1, 2, 2, 2)));
    }

    private static ModelProto unpool(int type) {
        var g = GraphProto.newBuilder()
                .setName("unpool")
                .addNode(Models.node(
                        "MaxUnpool",
                        new String[] {"x", "i"},
                        new String[] {"y"},
                        ints("kernel_shape", 2, 2),
                        ints("strides", 2, 2)))
                .addInput(Models.value("x", type, 1, 2, 2, 2))
                .addInput(Models.value("i", NodeCases.INT64, 1, 2, 2, 2))
                .addOutput(Models.value("y", type))
                .build();
        return Models.model(g, 11);
    }

    @Test
    void maxUnpoolMatchesOrtAndPassesGradients() {
        OrtCheck.assertMatchesOrt(unpool(FLOAT), unpoolInputs(DataType.FLOAT32), 0, 0);
        GradientCheck.assertGradients(unpool(DOUBLE), unpoolInputs(DataType.FLOAT64), new int[] {0}, 1e-6);
    }

    @Test
    void poolGradientsMatchFiniteDifferences() {
        long[][] shapes = {dims(1, 2, 5, 4)};
        GradientCheck.InputMaker inputs = NodeCases.random(16, DataType.FLOAT64, shapes);
        GradientCheck.assertGradients(
                NodeCases.model(
                        "MaxPool",
                        12,
                        DOUBLE,
                        shapes,
                        1,
                        ints("kernel_shape", 2, 2),
                        ints("pads", 1, 0, 0, 1),
                        intAttr("ceil_mode", 1),
                        ints("strides", 2, 2)),
                inputs,
                new int[] {0},
                1e-5);
        GradientCheck.assertGradients(
                NodeCases.model(
                        "AveragePool",
                        11,
                        DOUBLE,
                        shapes,
                        1,
                        ints("kernel_shape", 3, 2),
                        ints("pads", 1, 1, 1, 0),
                        ints("strides", 1, 2)),
                inputs,
                new int[] {0},
                1e-5);
        GradientCheck.assertGradients(
                NodeCases.model("LpPool", 11, DOUBLE, shapes, 1, ints("kernel_shape", 2, 2), intAttr("p", 3)),
                inputs,
                new int[] {0},
                1e-5);
        for (String op : new String[] {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}) {
            GradientCheck.assertGradients(NodeCases.model(op, 11, DOUBLE, shapes, 1), inputs, new int[] {0}, 1e-5);
        }
    }
}
