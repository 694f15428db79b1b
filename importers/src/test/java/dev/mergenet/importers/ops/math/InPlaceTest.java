package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Relu after a convolution or an addition, and an addition after a convolution, write into their first input
 * (PyTorch's ReLU(inplace=True) and ResNet's {@code out += identity}) when they are that value's only reader.
 * Values against ONNX Runtime and gradients against finite differences, with and without a second reader of each
 * overwritable value (which must then see the value from before the op).
 */
class InPlaceTest {
    /**
     * x -> Conv -> c; c + r -> s with r = x·x summed over a 2x2 window (a full-size second operand); Relu(s) -> y;
     * with {@code secondReader} also z = (s + y) + c, so s and c are each read twice.
     */
    private static ModelProto convAddRelu(int elemType, boolean secondReader) {
        TensorProto.Builder w = tensor("w", elemType, List.of(2L, 1L, 2L, 2L), 1.5, -2, 0.5, 3, -1, 2.5, 1, -0.5);
        TensorProto.Builder b = tensor("b", elemType, List.of(1L, 2L, 1L, 1L), 0.25, -0.75);
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("conv_add_relu")
                .addNode(Models.node("Conv", new String[] {"x", "w"}, new String[] {"c"}))
                .addNode(Models.node("Mul", new String[] {"x", "x"}, new String[] {"xx"}))
                .addNode(Models.node("Conv", new String[] {"xx", "w"}, new String[] {"r"}).toBuilder()
                        .setName("conv_r"))
                .addNode(Models.node("Add", new String[] {"c", "r"}, new String[] {"cr"}).toBuilder()
                        .setName("add_r"))
                .addNode(Models.node("Add", new String[] {"cr", "b"}, new String[] {"s"}).toBuilder()
                        .setName("add_b"))
                .addNode(Models.node("Relu", new String[] {"s"}, new String[] {"y"}))
                .addInitializer(w)
                .addInitializer(b)
                .addInput(Models.value("x", elemType, 1, 1, 3, 3));
        if (secondReader) {
            g.addNode(Models.node("Add", new String[] {"s", "y"}, new String[] {"sy"}).toBuilder()
                            .setName("add_y"))
                    .addNode(Models.node("Add", new String[] {"sy", "c"}, new String[] {"z"}).toBuilder()
                            .setName("add_c"))
                    .addOutput(Models.value("z", elemType));
        } else {
            g.addOutput(Models.value("y", elemType));
        }
        return Models.model(g.build(), 14);
    }

    private static TensorProto.Builder tensor(String name, int elemType, List<Long> dims, double... values) {
        TensorProto.Builder t =
                TensorProto.newBuilder().setName(name).setDataType(elemType).addAllDims(dims);
        for (double v : values) {
            if (elemType == TensorProto.DataType.DOUBLE_VALUE) {
                t.addDoubleData(v);
            } else {
                t.addFloatData((float) v);
            }
        }
        return t;
    }

    private static double[] input() {
        Random rnd = new Random(11);
        double[] v = new double[9];
        for (int i = 0; i < v.length; i++) {
            v[i] = -1 + 2 * rnd.nextDouble();
        }
        return v;
    }

    @Test
    void valuesMatchOrtWithAndWithoutASecondReader() {
        double[] v = input();
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        for (boolean second : new boolean[] {false, true}) {
            OrtCheck.assertMatchesOrt(
                    convAddRelu(TensorProto.DataType.FLOAT_VALUE, second),
                    m -> new NDList(m.create(f, new Shape(1, 1, 3, 3))),
                    1e-6,
                    1e-6);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        double[] v = input();
        for (boolean second : new boolean[] {false, true}) {
            GradientCheck.assertGradients(
                    convAddRelu(TensorProto.DataType.DOUBLE_VALUE, second),
                    m -> new NDList(m.create(v, new Shape(1, 1, 3, 3))),
                    new int[] {0},
                    1e-6);
        }
    }
}
