package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.dims;
import static dev.mergenet.importers.testing.Models.intAttr;

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

/** RotaryEmbedding (opset 23) against ONNX Runtime: halves and interleaved, partial rotation, position caches. */
class RotaryEmbeddingTest {
    @Test
    void perPositionAnglesMatchOrt() {
        long[][] shapes = {dims(2, 3, 5, 8), dims(2, 5, 4), dims(2, 5, 4)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("RotaryEmbedding", 23, FLOAT, shapes, 1),
                NodeCases.random(80, DataType.FLOAT32, shapes),
                1e-5,
                1e-5);
        long[][] partial = {dims(1, 2, 4, 8), dims(1, 4, 3), dims(1, 4, 3)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "RotaryEmbedding",
                        23,
                        FLOAT,
                        partial,
                        1,
                        intAttr("interleaved", 1),
                        intAttr("rotary_embedding_dim", 6),
                        intAttr("num_heads", 2)),
                NodeCases.random(81, DataType.FLOAT32, partial),
                1e-5,
                1e-5);
    }

    private static ModelProto withPositions(int type, boolean interleaved) {
        GraphProto g = GraphProto.newBuilder()
                .setName("rope")
                .addNode(Models.node(
                        "RotaryEmbedding",
                        new String[] {"x", "cos", "sin", "pos"},
                        new String[] {"y"},
                        intAttr("num_heads", 2),
                        intAttr("interleaved", interleaved ? 1 : 0)))
                .addInput(Models.value("x", type, 2, 3, 12))
                .addInput(Models.value("cos", type, 10, 3))
                .addInput(Models.value("sin", type, 10, 3))
                .addInput(Models.value("pos", TensorProto.DataType.INT64_VALUE, 2, 3))
                .addOutput(Models.value("y", type))
                .build();
        return Models.model(g, 23);
    }

    private static GradientCheck.InputMaker positionInputs(DataType type) {
        return m -> {
            Random rnd = new Random(82);
            return new NDList(
                    NodeCases.uniform(m, rnd, type, dims(2, 3, 12), -1, 1),
                    NodeCases.uniform(m, rnd, type, dims(10, 3), -1, 1),
                    NodeCases.uniform(m, rnd, type, dims(10, 3), -1, 1),
                    m.create(new long[] {0, 1, 2, 7, 8, 9}, new Shape(2, 3)));
        };
    }

    @Test
    void threeDimensionalInputWithPositionIdsMatchesOrt() {
        for (boolean interleaved : new boolean[] {false, true}) {
            OrtCheck.assertMatchesOrt(withPositions(FLOAT, interleaved), positionInputs(DataType.FLOAT32), 1e-5, 1e-5);
        }
    }

    @Test
    void gradientsReachInputAndCaches() {
        GradientCheck.assertGradients(
                withPositions(DOUBLE, true), positionInputs(DataType.FLOAT64), new int[] {0, 1, 2}, 1e-6);
    }
}
