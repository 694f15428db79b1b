package dev.mergenet.importers.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.OrtAgreement;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training view outputs logits whose Softmax is the original output; reattaching restores the model. */
class SoftmaxTailTest {
    @Test
    void trainingViewGivesLogitsAndReattachRestoresTheGraph() throws Exception {
        OnnxModel model = OnnxModelReader.read(TestData.ocrClassifier());
        SoftmaxTail.TrainingView view = SoftmaxTail.trainingView(model);
        assertEquals(1, view.removed().size());
        assertEquals("p2o.Add.87", view.model().proto().getGraph().getOutput(0).getName());
        assertEquals(
                model.proto().getGraph().getNodeCount() - 1,
                view.model().proto().getGraph().getNodeCount());
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                OrtReference original = new OrtReference(model.proto().toByteArray());
                OrtReference logits = new OrtReference(view.model().proto().toByteArray())) {
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 48, 192));
            List<OrtReference.Output> l = logits.run(new NDList(x));
            NDArray probs =
                    m.create(l.get(0).floats(), new Shape(l.get(0).shape())).softmax(1);
            OrtAgreement.assertAgree("softmax(logits)", new NDList(probs), original.run(new NDList(x)), 1e-6, 0);
        }
        ModelProto back = SoftmaxTail.reattach(view.model().proto(), view.removed());
        assertEquals(model.proto().getGraph().getOutputList(), back.getGraph().getOutputList());
        assertEquals(
                model.proto().getGraph().getNodeList(),
                back.getGraph().getNodeList(),
                "the Softmax was the last node and is back in its place");
    }
}
