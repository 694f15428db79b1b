package dev.mergenet.importers.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.testing.OrtAgreement;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A new classifier head: ONNX Runtime on the edited file against features times the new weights, and the DJL graph. */
class ClassifierHeadTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void paddleClassifierGetsTenClassesMatchingFeaturesTimesNewWeights() throws Exception {
        OnnxModel model = OnnxModelReader.read(TestData.ocrClassifier());
        ClassifierHead.Replaced r = ClassifierHead.replace(model, 10, 1);
        assertEquals(2, r.oldClasses());
        GraphProto g = r.model().proto().getGraph();
        TensorShapeProto out = g.getOutput(0).getType().getTensorType().getShape();
        assertEquals("p2o.DynamicDimension.3", out.getDim(0).getDimParam(), "batch dim stays symbolic");
        assertEquals(10, out.getDim(1).getDimValue());
        assertEquals(
                g.getNodeCount(),
                model.proto().getGraph().getNodeCount() - 2,
                "the two Constant nodes of the old weights are gone");
        assertFalse(g.getNodeList().stream().anyMatch(n -> n.getOutputList().contains("fc_0.w_0")));

        // reference: the original graph's head input (features) times the new weight plus bias, then Softmax
        String features = g.getNodeList().stream()
                .filter(n -> n.getName().equals(r.node()))
                .findFirst()
                .orElseThrow()
                .getInput(0);
        ModelProto withFeatures = model.proto().toBuilder()
                .setGraph(model.proto().getGraph().toBuilder()
                        .addOutput(ValueInfoProto.newBuilder()
                                .setName(features)
                                .setType(TypeProto.newBuilder()
                                        .setTensorType(TypeProto.Tensor.newBuilder()
                                                .setElemType(TensorProto.DataType.FLOAT_VALUE)))))
                .build();
        NDArray x = manager.randomUniform(0, 1, new Shape(3, 3, 48, 192));
        NDArray w = initializer(g, r.weight());
        NDArray b = initializer(g, r.bias());
        try (OrtReference edited = new OrtReference(r.model().proto().toByteArray());
                OrtReference reference = new OrtReference(withFeatures.toByteArray())) {
            List<OrtReference.Output> got = edited.run(new NDList(x));
            assertArrayEquals(new long[] {3, 10}, got.get(0).shape());
            OrtReference.Output f = reference.run(new NDList(x)).get(1);
            NDArray feats = manager.create(f.floats(), new Shape(f.shape()));
            NDArray expected = feats.matMul(w).add(b).softmax(1);
            double diff = OrtAgreement.assertAgree("re-headed classifier", new NDList(expected), got, 1e-5, 0);
            System.out.printf("re-headed PaddleOCR classifier (10 classes): max |reference - ORT| = %.3g%n", diff);
        }
    }

    @Test
    void reheadedClassifierAgreesWithTheImportedDjlGraph() throws Exception {
        OnnxModel model = OnnxModelReader.read(TestData.ocrClassifier());
        ClassifierHead.Replaced r = ClassifierHead.replace(model, 10, 1);
        NDArray x = manager.randomUniform(0, 1, new Shape(2, 3, 48, 192));
        try (NDManager m = manager.newSubManager();
                OrtReference ort = new OrtReference(r.model().proto().toByteArray())) {
            try (OnnxGraphBlock block = OnnxImporter.load(r.model(), m)) {
                NDList djl = block.forward(new ParameterStore(m, false), new NDList(x), false);
                assertEquals(new Shape(2, 10), djl.singletonOrThrow().getShape());
                double diff = OrtAgreement.assertAgree("re-headed, imported", djl, ort.run(new NDList(x)), 1e-5, 0);
                System.out.printf("re-headed PaddleOCR classifier: max |DJL graph - ORT| = %.3g%n", diff);
                assertTrue(block.onnxParameters().containsKey(r.weight()), "the new head is trainable");
            }
        }
    }

    @Test
    void squeezeNetConvClassifierGetsFourClassesMatchingPooledReluOfNewConv() throws Exception {
        OnnxModel model = OnnxModelReader.read(
                TestData.require(TestData.cache().resolve("torch-models/squeezenet1_1_op13.onnx")));
        ClassifierHead.Replaced r = ClassifierHead.replace(model, 4, 5);
        assertEquals(10, r.oldClasses(), "the cached export has a 10-class classifier conv");
        assertEquals(512, r.features());
        GraphProto g = r.model().proto().getGraph();
        NodeProto head = g.getNodeList().stream()
                .filter(n -> n.getName().equals(r.node()))
                .findFirst()
                .orElseThrow();
        assertEquals("Conv", head.getOpType());
        assertEquals(List.of(4L, 512L, 1L, 1L), initializerProto(g, r.weight()).getDimsList());
        assertEquals(
                4, g.getOutput(0).getType().getTensorType().getShape().getDim(1).getDimValue());

        // reference: the original graph's classifier input, then mean over H, W of ReLU(new 1x1 conv)
        ModelProto withFeatures = model.proto().toBuilder()
                .setGraph(model.proto().getGraph().toBuilder()
                        .addOutput(ValueInfoProto.newBuilder()
                                .setName(head.getInput(0))
                                .setType(TypeProto.newBuilder()
                                        .setTensorType(TypeProto.Tensor.newBuilder()
                                                .setElemType(TensorProto.DataType.FLOAT_VALUE)))))
                .build();
        NDArray x = manager.randomUniform(0, 1, new Shape(2, 3, 64, 64));
        NDArray w = initializer(g, r.weight()).reshape(4, 512);
        NDArray b = initializer(g, r.bias());
        try (OrtReference edited = new OrtReference(r.model().proto().toByteArray());
                OrtReference reference = new OrtReference(withFeatures.toByteArray())) {
            List<OrtReference.Output> got = edited.run(new NDList(x));
            assertArrayEquals(new long[] {2, 4}, got.get(0).shape());
            OrtReference.Output f = reference.run(new NDList(x)).get(1);
            NDArray feats = manager.create(f.floats(), new Shape(f.shape())); // [N, 512, H, W]
            long hw = feats.getShape().get(2) * feats.getShape().get(3);
            NDArray perPixel = w.matMul(feats.reshape(2, 512, hw)).add(b.reshape(1, 4, 1)); // [N, 4, HW]
            NDArray expected = perPixel.maximum(0f).mean(new int[] {2});
            double diff = OrtAgreement.assertAgree("re-headed SqueezeNet", new NDList(expected), got, 1e-5, 1e-5);
            System.out.printf("re-headed SqueezeNet 1.1 (4 classes): max |reference - ORT| = %.3g%n", diff);
        }
        try (NDManager m = manager.newSubManager()) {
            try (OnnxGraphBlock block = OnnxImporter.load(r.model(), m)) {
                assertTrue(block.onnxParameters().get(r.weight()).requiresGradient(), "the new conv head is trainable");
            }
        }
    }

    private static TensorProto initializerProto(GraphProto g, String name) {
        return g.getInitializerList().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static NDArray initializer(GraphProto g, String name) {
        return TensorDecoder.toNDArray(initializerProto(g, name), manager, "test", null);
    }
}
