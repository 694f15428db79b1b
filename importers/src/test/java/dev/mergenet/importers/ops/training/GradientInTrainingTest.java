package dev.mergenet.importers.ops.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.protobuf.ByteString;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/**
 * A model containing the Gradient op trains: out = x·w + d(sum(x·w))/dx = x·w + w. The Gradient runs while the
 * step's own gradient collector is open (the engine allows one), and its result is a constant of the step, so
 * d(sum(out))/dw = x, as for out = x·w + c; without a collector it gives the same values.
 */
class GradientInTrainingTest {
    private static final float[] X = {1f, -2f, 3f};
    private static final float[] W = {0.5f, 4f, -1.5f};

    private static ModelProto model() {
        GraphProto g = GraphProto.newBuilder()
                .setName("gradient_in_training")
                .addNode(Models.node("Mul", new String[] {"x", "w"}, new String[] {"a"}))
                .addNode(Models.node(
                                "Gradient",
                                new String[] {"x"},
                                new String[] {"da_dx"},
                                AttributeProto.newBuilder()
                                        .setName("xs")
                                        .setType(AttributeProto.AttributeType.STRINGS)
                                        .addStrings(ByteString.copyFromUtf8("x"))
                                        .build(),
                                AttributeProto.newBuilder()
                                        .setName("y")
                                        .setType(AttributeProto.AttributeType.STRING)
                                        .setS(ByteString.copyFromUtf8("a"))
                                        .build())
                        .toBuilder()
                        .setDomain("ai.onnx.preview.training")
                        .setName("gradient_0")
                        .build())
                .addNode(Models.node("Add", new String[] {"a", "da_dx"}, new String[] {"out"}).toBuilder()
                        .setName("add_0")
                        .build())
                .addInitializer(Models.floats("w", new long[] {3}, W))
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 3))
                .addOutput(Models.value("out", TensorProto.DataType.FLOAT_VALUE))
                .build();
        return Models.model(g, 17).toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder()
                        .setDomain("ai.onnx.preview.training")
                        .setVersion(1))
                .build();
    }

    private static float[] expectedOut() {
        float[] out = new float[X.length];
        for (int i = 0; i < X.length; i++) {
            out[i] = X[i] * W[i] + W[i];
        }
        return out;
    }

    @Test
    void trainsUnderTheStepsCollector() {
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(model().toByteArray()), m);
            Parameter w = block.parameter("w");
            w.getArray().setRequiresGradient(true);
            NDArray out;
            try (GradientCollector gc = TorchEngine.newGradientCollector()) {
                out = block.forward(new ParameterStore(m, false), new NDList(m.create(X, new Shape(3))), true)
                        .singletonOrThrow();
                gc.backward(out.sum());
            }
            assertArrayEquals(expectedOut(), out.toFloatArray(), 1e-6f);
            assertArrayEquals(X, w.getArray().getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void givesTheSameValuesWithoutACollector() {
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(model().toByteArray()), m);
            NDArray out = block.forward(new ParameterStore(m, false), new NDList(m.create(X, new Shape(3))), false)
                    .singletonOrThrow();
            assertArrayEquals(expectedOut(), out.toFloatArray(), 1e-6f);
        }
    }
}
