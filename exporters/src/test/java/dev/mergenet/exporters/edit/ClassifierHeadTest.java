package dev.mergenet.exporters.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import dev.mergenet.exporters.OrtAgreement;
import dev.mergenet.exporters.OrtReference;
import dev.mergenet.exporters.djl.DjlModelExporter;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
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
        assertEquals(g.getNodeCount(), model.proto().getGraph().getNodeCount() - 2,
                "the two Constant nodes of the old weights are gone");
        assertFalse(g.getNodeList().stream().anyMatch(n -> n.getOutputList().contains("fc_0.w_0")));

        // reference: the original graph's head input (features) times the new weight plus bias, then Softmax
        String features = g.getNodeList().stream().filter(n -> n.getName().equals(r.node())).findFirst()
                .orElseThrow().getInput(0);
        ModelProto withFeatures = model.proto().toBuilder().setGraph(model.proto().getGraph().toBuilder()
                .addOutput(ValueInfoProto.newBuilder().setName(features).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)))))
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
        try (NDManager m = manager.newSubManager(); OrtReference ort = new OrtReference(r.model().proto().toByteArray())) {
            OnnxGraphBlock block = OnnxImporter.load(r.model(), m);
            NDList djl = block.forward(new ParameterStore(m, false), new NDList(x), false);
            assertEquals(new Shape(2, 10), djl.singletonOrThrow().getShape());
            double diff = OrtAgreement.assertAgree("re-headed, imported", djl, ort.run(new NDList(x)), 1e-5, 0);
            System.out.printf("re-headed PaddleOCR classifier: max |DJL graph - ORT| = %.3g%n", diff);
            assertTrue(block.onnxParameters().containsKey(r.weight()), "the new head is trainable");
            block.close();
        }
    }

    @Test
    void gemmHeadOfAnExportedMlpIsReplaced() throws Exception {
        SequentialBlock body = new SequentialBlock().add(Linear.builder().setUnits(16).build()).add(Activation.reluBlock());
        SequentialBlock mlp = new SequentialBlock().add(body).add(Linear.builder().setUnits(3).build());
        mlp.initialize(manager, DataType.FLOAT32, new Shape(4, 8));
        ModelProto exported = new DjlModelExporter().export(mlp, "mlp", new Shape(4, 8));
        OnnxModel model = OnnxModelReader.read(exported.toByteArray());
        ClassifierHead.Replaced r = ClassifierHead.replace(model, 7, 3);
        assertEquals(3, r.oldClasses());
        assertEquals(16, r.features());
        GraphProto g = r.model().proto().getGraph();
        assertEquals(List.of(7L, 16L), initializerProto(g, r.weight()).getDimsList(), "Gemm transB layout kept");
        assertEquals("batch", g.getOutput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(7, g.getOutput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
        assertEquals(1, g.getInitializerList().stream().filter(t -> t.getName().equals(r.weight())).count());
        assertNotEquals(-1, g.getInitializerList().indexOf(initializerProto(g, r.bias())));

        NDArray x = manager.randomNormal(new Shape(5, 8));
        NDArray feats = body.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
        NDArray expected = feats.matMul(initializer(g, r.weight()).transpose()).add(initializer(g, r.bias()));
        try (OrtReference ort = new OrtReference(r.model().proto().toByteArray())) {
            OrtAgreement.assertAgree("re-headed MLP", new NDList(expected), ort.run(new NDList(x)), 1e-5, 0);
        }
    }

    private static TensorProto initializerProto(GraphProto g, String name) {
        return g.getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
    }

    private static NDArray initializer(GraphProto g, String name) {
        return TensorDecoder.toNDArray(initializerProto(g, name), manager, "test", null);
    }
}
