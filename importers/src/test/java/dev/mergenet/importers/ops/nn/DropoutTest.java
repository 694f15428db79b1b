package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.testing.Models.intAttr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/** Dropout: identity at inference; masked and rescaled when DJL trains or training_mode is true. */
class DropoutTest {
    private static final int N = 20000;

    private static ModelProto dropout(boolean withTrainingMode, boolean seeded) {
        String[] in = withTrainingMode ? new String[] {"x", "r", "t"} : new String[] {"x"};
        var node = seeded
                ? Models.node("Dropout", in, new String[] {"y", "mask"}, intAttr("seed", 5))
                : Models.node("Dropout", in, new String[] {"y", "mask"});
        var g = GraphProto.newBuilder()
                .setName("dropout")
                .addNode(node)
                .addInput(Models.value("x", FLOAT, N))
                .addOutput(Models.value("y", FLOAT))
                .addOutput(Models.value("mask", TensorProto.DataType.BOOL_VALUE));
        if (withTrainingMode) {
            g.addInput(Models.value("r", FLOAT)).addInput(Models.value("t", TensorProto.DataType.BOOL_VALUE));
        }
        return Models.model(g.build(), 13);
    }

    private static NDList run(ModelProto proto, NDManager m, NDList inputs, boolean training) {
        OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(proto.toByteArray()), m);
        return block.forward(new ParameterStore(m, false), inputs, training);
    }

    private static void assertDropped(NDArray x, NDList out, double ratio) {
        float[] xs = x.toFloatArray();
        float[] y = out.get(0).toFloatArray();
        boolean[] mask = out.get(1).toBooleanArray();
        int kept = 0;
        for (int i = 0; i < xs.length; i++) {
            if (mask[i]) {
                kept++;
                assertEquals(xs[i] / (1 - ratio), y[i], 1e-5, "kept element " + i + " is rescaled");
            } else {
                assertEquals(0f, y[i], 0f, "dropped element " + i);
            }
        }
        double keptFraction = (double) kept / xs.length;
        assertEquals(1 - ratio, keptFraction, 0.02, "fraction kept");
    }

    @Test
    void inferenceIsIdentityWithAllTrueMask() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = m.randomNormal(new Shape(N));
            NDList out = run(dropout(false, false), m, new NDList(x), false);
            assertArrayEquals(x.toFloatArray(), out.get(0).toFloatArray());
            assertTrue(out.get(1).all().getBoolean());
        }
    }

    @Test
    void trainingModeInputAndDjlTrainingActivateDropout() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = m.randomNormal(new Shape(N)).add(3);
            NDList inputs = new NDList(x, m.create(0.3f), m.create(true));
            assertDropped(x, run(dropout(true, false), m, inputs, false), 0.3);
            assertDropped(x, run(dropout(false, false), m, new NDList(x), true), 0.5);
            NDList off = run(dropout(true, false), m, new NDList(x, m.create(0.3f), m.create(false)), false);
            assertArrayEquals(x.toFloatArray(), off.get(0).toFloatArray());
        }
    }

    @Test
    void seedAttributeMakesMasksReproducibleAcrossLoads() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = m.ones(new Shape(N), DataType.FLOAT32);
            boolean[] a =
                    run(dropout(false, true), m, new NDList(x), true).get(1).toBooleanArray();
            boolean[] b =
                    run(dropout(false, true), m, new NDList(x), true).get(1).toBooleanArray();
            assertArrayEquals(a, b);
        }
    }
}
