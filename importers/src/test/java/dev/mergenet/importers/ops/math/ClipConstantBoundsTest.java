package dev.mergenet.importers.ops.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
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
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Clip with bounds from Constant nodes, the form PyTorch exports nn.ReLU6 in: it runs as PyTorch's hardtanh (one
 * fused kernel each way). Values against ONNX Runtime, gradients against finite differences, and the gradient at
 * the bounds against PyTorch's ReLU6, which is 0 there (hardtanh_backward passes the gradient only strictly
 * inside the bounds).
 */
class ClipConstantBoundsTest {
    private static ModelProto relu6(int elemType, double low, double high) {
        GraphProto g = GraphProto.newBuilder()
                .setName("relu6")
                .addNode(constant("low", elemType, low))
                .addNode(constant("high", elemType, high))
                .addNode(Models.node("Clip", new String[] {"x", "low", "high"}, new String[] {"y"}))
                .addInput(Models.value("x", elemType, 2, 4))
                .addOutput(Models.value("y", elemType))
                .build();
        return Models.model(g, 13);
    }

    private static NodeProto constant(String name, int elemType, double v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(elemType);
        if (elemType == TensorProto.DataType.DOUBLE_VALUE) {
            t.addDoubleData(v);
        } else {
            t.addFloatData((float) v);
        }
        return Models.node(
                        "Constant",
                        new String[0],
                        new String[] {name},
                        AttributeProto.newBuilder()
                                .setName("value")
                                .setType(AttributeProto.AttributeType.TENSOR)
                                .setT(t)
                                .build())
                .toBuilder()
                .setName("const_" + name)
                .build();
    }

    /**
     * x -> Conv -> Clip(low, high) -> y, and with {@code secondReader} also z = conv + y, so the convolution's output
     * has two readers and must not be clamped in place.
     */
    private static ModelProto convThenClip(int elemType, boolean secondReader) {
        TensorProto.Builder w =
                TensorProto.newBuilder().setName("w").setDataType(elemType).addAllDims(List.of(2L, 1L, 2L, 2L));
        double[] weights = {1.5, -2, 0.5, 3, -1, 2.5, 1, -0.5};
        for (double v : weights) {
            if (elemType == TensorProto.DataType.DOUBLE_VALUE) {
                w.addDoubleData(v);
            } else {
                w.addFloatData((float) v);
            }
        }
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("conv_relu6")
                .addNode(Models.node("Conv", new String[] {"x", "w"}, new String[] {"c"}))
                .addNode(constant("low", elemType, -0.5))
                .addNode(constant("high", elemType, 0.5))
                .addNode(Models.node("Clip", new String[] {"c", "low", "high"}, new String[] {"y"}))
                .addInitializer(w)
                .addInput(Models.value("x", elemType, 1, 1, 3, 3));
        if (secondReader) {
            g.addNode(Models.node("Add", new String[] {"c", "y"}, new String[] {"z"}).toBuilder()
                            .setName("add_0"))
                    .addOutput(Models.value("z", elemType));
        } else {
            g.addOutput(Models.value("y", elemType));
        }
        return Models.model(g.build(), 13);
    }

    private static double[] convInput() {
        Random rnd = new Random(5);
        double[] v = new double[9];
        for (int i = 0; i < v.length; i++) {
            v[i] = -0.6 + 1.2 * rnd.nextDouble();
        }
        return v;
    }

    @Test
    void clampedInPlaceAfterAConvolutionWithTheSameGradients() {
        double[] v = convInput();
        GradientCheck.assertGradients(
                convThenClip(TensorProto.DataType.DOUBLE_VALUE, false),
                m -> new NDList(m.create(v, new Shape(1, 1, 3, 3))),
                new int[] {0},
                1e-6);
        GradientCheck.assertGradients(
                convThenClip(TensorProto.DataType.DOUBLE_VALUE, true),
                m -> new NDList(m.create(v, new Shape(1, 1, 3, 3))),
                new int[] {0},
                1e-6);
    }

    @Test
    void aValueWithAnotherReaderIsNotOverwritten() {
        double[] v = convInput();
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        OrtCheck.assertMatchesOrt(
                convThenClip(TensorProto.DataType.FLOAT_VALUE, true),
                m -> new NDList(m.create(f, new Shape(1, 1, 3, 3))),
                1e-6,
                1e-6);
        OrtCheck.assertMatchesOrt(
                convThenClip(TensorProto.DataType.FLOAT_VALUE, false),
                m -> new NDList(m.create(f, new Shape(1, 1, 3, 3))),
                1e-6,
                1e-6);
    }

    private static final float[] X = {-1f, 0f, 0.5f, 3f, 5.9f, 6f, 7f, -0f};

    @Test
    void valuesMatchOrtIncludingTheBounds() {
        OrtCheck.assertMatchesOrt(
                relu6(TensorProto.DataType.FLOAT_VALUE, 0, 6), m -> new NDList(m.create(X, new Shape(2, 4))), 0, 0);
    }

    @Test
    void minAboveMaxGivesMaxAsOnnxSays() {
        // hardtanh would give min here; the converter keeps clamp's (and ONNX's) answer
        OrtCheck.assertMatchesOrt(
                relu6(TensorProto.DataType.FLOAT_VALUE, 6, 0), m -> new NDList(m.create(X, new Shape(2, 4))), 0, 0);
    }

    @Test
    void gradientIsReluSixs() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ModelProto proto = relu6(TensorProto.DataType.FLOAT_VALUE, 0, 6);
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(proto.toByteArray()), m);
            NDArray x = m.create(X, new Shape(2, 4));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), true)
                        .singletonOrThrow();
                gc.backward(y.sum());
            }
            // torch.nn.ReLU6()(x).sum().backward() on the same x gives exactly these
            assertArrayEquals(
                    new float[] {0, 0, 1, 1, 1, 0, 0, 0}, x.getGradient().toFloatArray());
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesInside() {
        Random rnd = new Random(3);
        double[] v = new double[8];
        for (int i = 0; i < v.length; i++) {
            v[i] = -2 + 4 * rnd.nextDouble(); // kinks at ±0.5 are far from every sample's ±1e-6 probe
            if (Math.abs(Math.abs(v[i]) - 0.5) < 1e-3) {
                v[i] += 0.1;
            }
        }
        GradientCheck.assertGradients(
                relu6(TensorProto.DataType.DOUBLE_VALUE, -0.5, 0.5),
                m -> new NDList(m.create(v, new Shape(2, 4)).toType(DataType.FLOAT64, false)),
                new int[] {0},
                1e-6);
    }
}
