package dev.mergenet.exporters.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
import dev.mergenet.importers.edit.ClassifierHead;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.testing.OrtAgreement;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The importer's classifier re-head on a model this exporter wrote: ONNX Runtime against the MLP's features. */
class ExportedClassifierHeadTest {
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
    void gemmHeadOfAnExportedMlpIsReplaced() throws Exception {
        SequentialBlock body =
                new SequentialBlock().add(Linear.builder().setUnits(16).build()).add(Activation.reluBlock());
        SequentialBlock mlp =
                new SequentialBlock().add(body).add(Linear.builder().setUnits(3).build());
        mlp.initialize(manager, DataType.FLOAT32, new Shape(4, 8));
        ModelProto exported = new DjlModelExporter().export(mlp, "mlp", new Shape(4, 8));
        OnnxModel model = OnnxModelReader.read(exported.toByteArray());
        ClassifierHead.Replaced r = ClassifierHead.replace(model, 7, 3);
        assertEquals(3, r.oldClasses());
        assertEquals(16, r.features());
        GraphProto g = r.model().proto().getGraph();
        assertEquals(List.of(7L, 16L), initializerProto(g, r.weight()).getDimsList(), "Gemm transB layout kept");
        assertEquals(
                "batch",
                g.getOutput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(
                7, g.getOutput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
        assertEquals(
                1,
                g.getInitializerList().stream()
                        .filter(t -> t.getName().equals(r.weight()))
                        .count());
        assertNotEquals(-1, g.getInitializerList().indexOf(initializerProto(g, r.bias())));

        NDArray x = manager.randomNormal(new Shape(5, 8));
        NDArray feats = body.forward(new ParameterStore(manager, false), new NDList(x), false)
                .singletonOrThrow();
        NDArray expected = feats.matMul(initializer(g, r.weight()).transpose()).add(initializer(g, r.bias()));
        try (OrtReference ort = new OrtReference(r.model().proto().toByteArray())) {
            OrtAgreement.assertAgree("re-headed MLP", new NDList(expected), ort.run(new NDList(x)), 1e-5, 0);
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
