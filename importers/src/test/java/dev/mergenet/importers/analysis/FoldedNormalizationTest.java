package dev.mergenet.importers.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.FoldedModels;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Folded normalization is found in PyTorch's default (eval-mode) exports and nowhere else. */
class FoldedNormalizationTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "mobilenet_fresh_folded",
                "mobilenet_pretrained_folded",
                "resnet_fresh_folded",
                "resnet_pretrained_folded"
            })
    void firesOnDefaultExports(String name) {
        OnnxModel model = OnnxModelReader.read(FoldedModels.model(name));
        Optional<FoldedNormalization.Finding> f = FoldedNormalization.find(model);
        assertTrue(f.isPresent(), name);
        // every Conv of these networks had a BatchNorm, except the squeeze-excitation Convs (named, biased)
        long convs = model.proto().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv"))
                .count();
        long squeeze = model.proto().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv") && n.getInput(1).contains(".fc"))
                .count();
        assertEquals(name.startsWith("mobilenet") ? 4 : 0, squeeze);
        assertEquals(convs - squeeze, f.get().convOutputs().size(), name);
        assertTrue(f.get().feedingActivations() > 0 && f.get().feedingActivations() < convs, name);
        assertTrue(f.get().warning().contains("--restore-norm"), f.get().warning());
        assertTrue(f.get().warning().contains("pytorch"), f.get().warning());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet_fresh_kept", "resnet_fresh_kept"})
    void silentWhenTheBatchNormsWereKept(String name) {
        assertFalse(
                FoldedNormalization.find(OnnxModelReader.read(FoldedModels.model(name)))
                        .isPresent(),
                name);
    }

    @Test
    void firesOnTheSuitesTorchvisionExportsAndNotOnPaddleModels() {
        Optional<FoldedNormalization.Finding> resnet = FoldedNormalization.find(OnnxModelReader.read(
                TestData.require(TestData.cache().resolve("torch-models").resolve("resnet18_op17.onnx"))));
        assertTrue(resnet.isPresent());
        assertEquals(20, resnet.get().convOutputs().size());
        assertFalse(FoldedNormalization.find(OnnxModelReader.read(TestData.ocrClassifier()))
                .isPresent());
    }

    /** A plain CNN (Conv with its own named bias, ReLU) has no normalization to restore. */
    @Test
    void silentOnAPlainCnnAndOnOtherProducers() {
        assertFalse(FoldedNormalization.find(convRelu("pytorch", "conv1.weight", "conv1.bias"))
                .isPresent());
        assertTrue(FoldedNormalization.find(convRelu("pytorch", "onnx::Conv_7", "onnx::Conv_8"))
                .isPresent());
        assertTrue(FoldedNormalization.find(convRelu("tf2onnx", "conv1/kernel", "conv1/bias"))
                .isPresent());
        assertFalse(FoldedNormalization.find(convRelu("PaddlePaddle", "onnx::Conv_7", "onnx::Conv_8"))
                .isPresent());
    }

    static OnnxModel convRelu(String producer, String weight, String bias) {
        GraphProto g = GraphProto.newBuilder()
                .setName("g")
                .addNode(NodeProto.newBuilder()
                        .setOpType("Conv")
                        .setName("conv")
                        .addInput("x")
                        .addInput(weight)
                        .addInput(bias)
                        .addOutput("c"))
                .addNode(NodeProto.newBuilder()
                        .setOpType("Relu")
                        .setName("relu")
                        .addInput("c")
                        .addOutput("y"))
                .addInitializer(floats(weight, 2, 1, 1, 1))
                .addInitializer(floats(bias, 2))
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .build();
        ModelProto m = ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName(producer)
                .setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .build();
        return OnnxModelReader.read(m.toByteArray());
    }

    private static TensorProto floats(String name, long... dims) {
        long n = 1;
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
            n *= d;
        }
        return t.setRawData(ByteString.copyFrom(new byte[(int) (4 * n)])).build();
    }
}
