package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.dims;
import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.stringAttr;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** GridSample and RoiAlign against ONNX Runtime, and their gradients. */
class SamplingTest {
    /** A grid reaching a little outside [-1, 1], so every padding mode matters. */
    private static GradientCheck.InputMaker gridInputs(long seed, DataType type, long[] x, long[] grid) {
        return m -> {
            Random rnd = new Random(seed);
            return new NDList(
                    NodeCases.uniform(m, rnd, type, x, -1, 1), NodeCases.uniform(m, rnd, type, grid, -1.2, 1.2));
        };
    }

    @Test
    void gridSampleModesAndPaddingsMatchOrt() {
        long[][] shapes = {dims(2, 3, 5, 6), dims(2, 4, 7, 2)};
        String[][] settings = {
            {"bilinear", "zeros", "0"},
            {"bilinear", "border", "1"},
            {"nearest", "zeros", "0"},
            {"nearest", "reflection", "1"},
            {"bicubic", "reflection", "0"},
            {"bicubic", "border", "1"},
            {"bilinear", "reflection", "0"}
        };
        for (String[] s : settings) {
            OrtCheck.assertMatchesOrt(
                    NodeCases.model(
                            "GridSample",
                            16,
                            FLOAT,
                            shapes,
                            1,
                            stringAttr("mode", s[0]),
                            stringAttr("padding_mode", s[1]),
                            intAttr("align_corners", Integer.parseInt(s[2]))),
                    gridInputs(31, DataType.FLOAT32, shapes[0], shapes[1]),
                    1e-4,
                    1e-4);
        }
    }

    @Test
    void gridSampleGradientsReachInputAndGrid() {
        long[][] shapes = {dims(1, 2, 3, 4), dims(1, 2, 3, 2)};
        for (String mode : new String[] {"bilinear", "bicubic"}) {
            GradientCheck.assertGradients(
                    NodeCases.model(
                            "GridSample",
                            16,
                            DOUBLE,
                            shapes,
                            1,
                            stringAttr("mode", mode),
                            stringAttr("padding_mode", "border")),
                    gridInputs(32, DataType.FLOAT64, shapes[0], shapes[1]),
                    new int[] {0, 1},
                    1e-5);
        }
    }

    private static ModelProto roiAlign(int type, String mode) {
        GraphProto g = GraphProto.newBuilder()
                .setName("roialign")
                .addNode(Models.node(
                        "RoiAlign",
                        new String[] {"x", "rois", "batch"},
                        new String[] {"y"},
                        stringAttr("mode", mode),
                        intAttr("output_height", 3),
                        intAttr("output_width", 2),
                        intAttr("sampling_ratio", 0),
                        floatAttr("spatial_scale", 0.5f)))
                .addInput(Models.value("x", type, 2, 3, 8, 7))
                .addInput(Models.value("rois", type, 3, 4))
                .addInput(Models.value("batch", TensorProto.DataType.INT64_VALUE, 3))
                .addOutput(Models.value("y", type))
                .build();
        return Models.model(g, 16);
    }

    private static GradientCheck.InputMaker roiInputs(DataType type) {
        return m -> {
            Random rnd = new Random(33);
            float[] rois = {1f, 2f, 9f, 13f, 0f, 0f, 13.5f, 15.5f, 4.2f, 3.1f, 6.3f, 5.9f};
            return new NDList(
                    NodeCases.uniform(m, rnd, type, dims(2, 3, 8, 7), -1, 1),
                    m.create(rois, new Shape(3, 4)).toType(type, false),
                    m.create(new long[] {1, 0, 1}));
        };
    }

    private static ModelProto affineGrid(int type, long[] size, boolean alignCorners) {
        int r = size.length - 2;
        GraphProto g = GraphProto.newBuilder()
                .setName("affinegrid")
                .addNode(Models.node(
                        "AffineGrid",
                        new String[] {"theta", "size"},
                        new String[] {"grid"},
                        intAttr("align_corners", alignCorners ? 1 : 0)))
                .addInitializer(Models.longs("size", dims(size.length), size))
                .addInput(Models.value("theta", type, size[0], r, r + 1))
                .addOutput(Models.value("grid", type))
                .build();
        return Models.model(g, 20);
    }

    @Test
    void affineGridMatchesOrtAndPassesGradients() {
        for (boolean align : new boolean[] {false, true}) {
            OrtCheck.assertMatchesOrt(
                    affineGrid(FLOAT, dims(2, 3, 4, 5), align),
                    NodeCases.random(44, DataType.FLOAT32, dims(2, 2, 3)),
                    1e-5,
                    1e-5);
            OrtCheck.assertMatchesOrt(
                    affineGrid(FLOAT, dims(1, 1, 2, 3, 4), align),
                    NodeCases.random(45, DataType.FLOAT32, dims(1, 3, 4)),
                    1e-5,
                    1e-5);
        }
        GradientCheck.assertGradients(
                affineGrid(DOUBLE, dims(1, 1, 3, 2), false),
                NodeCases.random(46, DataType.FLOAT64, dims(1, 2, 3)),
                new int[] {0},
                1e-6);
    }

    private static ModelProto maxRoiPool(int type) {
        GraphProto g = GraphProto.newBuilder()
                .setName("maxroipool")
                .addNode(Models.node(
                        "MaxRoiPool",
                        new String[] {"x", "rois"},
                        new String[] {"y"},
                        Models.ints("pooled_shape", 3, 2),
                        floatAttr("spatial_scale", 0.5f)))
                .addInput(Models.value("x", type, 2, 3, 8, 7))
                .addInput(Models.value("rois", type, 3, 5))
                .addOutput(Models.value("y", type))
                .build();
        return Models.model(g, 13);
    }

    @Test
    void maxRoiPoolMatchesOrtAndPassesGradients() {
        float[] rois = {1, 1f, 2f, 9f, 13f, 0, 0f, 0f, 13f, 15f, 1, 4.6f, 3.1f, 6.3f, 5.9f};
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            GradientCheck.InputMaker inputs = m -> new NDList(
                    NodeCases.uniform(m, new Random(47), type, dims(2, 3, 8, 7), -1, 1),
                    m.create(rois, new Shape(3, 5)).toType(type, false));
            if (type == DataType.FLOAT32) {
                OrtCheck.assertMatchesOrt(maxRoiPool(FLOAT), inputs, 0, 0);
            } else {
                GradientCheck.assertGradients(maxRoiPool(DOUBLE), inputs, new int[] {0}, 1e-6);
            }
        }
    }

    @Test
    void roiAlignMatchesOrt() {
        OrtCheck.assertMatchesOrt(roiAlign(FLOAT, "avg"), roiInputs(DataType.FLOAT32), 1e-5, 1e-4);
    }

    @Test
    void roiAlignGradientReachesFeatureMap() {
        GradientCheck.assertGradients(roiAlign(DOUBLE, "avg"), roiInputs(DataType.FLOAT64), new int[] {0}, 1e-5);
    }
}
