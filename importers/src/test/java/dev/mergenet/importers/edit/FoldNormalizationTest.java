package dev.mergenet.importers.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import dev.mergenet.importers.analysis.ChannelStatistics;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.FoldedModels;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.importers.verify.TensorComparison;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --fold-norm: restored BatchNormalizations, given other values than their identity start (as training leaves
 * them), fold back into their Convs; ONNX Runtime gives the folded file the unfolded file's outputs.
 */
class FoldNormalizationTest {
    @ParameterizedTest
    @ValueSource(strings = {"resnet", "mobilenet"})
    void foldedFileEqualsTheUnfoldedOneInOnnxRuntime(String net) {
        OnnxModel folded = OnnxModelReader.read(FoldedModels.model(net + "_pretrained_folded"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray train = FoldedModels.images(m, "train").get("0:256");
            NDArray eval = FoldedModels.images(m, "eval").get("0:200");
            List<String> convs = RestoreNormalization.targets(folded);
            Map<String, ChannelStatistics> stats =
                    ChannelStatistics.measure(folded, convs, m, FoldedModels.batches(train, 128));
            RestoreNormalization.Restored restored = RestoreNormalization.apply(folded, stats);
            OnnxModel trained = perturb(restored.model(), Set.copyOf(restored.nodes()), new Random(7));

            FoldNormalization.Folded back =
                    FoldNormalization.apply(trained, n -> restored.nodes().contains(n.getName()));
            assertEquals(restored.nodes(), back.nodes());
            GraphProto g = back.model().proto().getGraph();
            assertEquals(
                    0,
                    g.getNodeList().stream()
                            .filter(n -> n.getOpType().equals("BatchNormalization"))
                            .count());
            assertEquals(folded.proto().getGraph().getNodeCount(), g.getNodeCount());
            assertEquals(
                    folded.proto().getGraph().getOutput(0).getName(),
                    g.getOutput(0).getName());
            try (OrtRunner unfoldedOrt = new OrtRunner(trained.proto().toByteArray(), "unfolded");
                    OrtRunner foldedOrt = new OrtRunner(back.model().proto().toByteArray(), "folded");
                    OrtRunner originalOrt = new OrtRunner(FoldedModels.model(net + "_pretrained_folded"))) {
                NDArray expected = FoldedModels.ortLogits(unfoldedOrt, m, eval);
                NDArray actual = FoldedModels.ortLogits(foldedOrt, m, eval);
                TensorComparison.Result r =
                        TensorComparison.compare(actual, OrtCheck.host("logits", expected), 1e-4, 1e-3);
                assertTrue(r.ok(), net + ": folded against unfolded in ONNX Runtime: " + r.reason());
                // the perturbation changed the outputs, so the comparison above could fail
                NDArray original = FoldedModels.ortLogits(originalOrt, m, eval);
                assertTrue(original.sub(expected).abs().max().getFloat() > 0.1f);
            }
        }
    }

    /** Scale, bias and running statistics of the given BatchNormalizations scaled by random factors. */
    private static OnnxModel perturb(OnnxModel model, Set<String> nodes, Random random) {
        GraphProto g = model.proto().getGraph();
        Set<String> tensors = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (nodes.contains(n.getName())) {
                tensors.addAll(n.getInputList().subList(1, 5));
            }
        }
        GraphProto.Builder gb = g.toBuilder();
        for (int i = 0; i < gb.getInitializerCount(); i++) {
            TensorProto t = gb.getInitializer(i);
            if (tensors.contains(t.getName())) {
                ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer out = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    out.putFloat(b.getFloat() * (0.5f + random.nextFloat())
                            + 0.05f
                                    * (float) random.nextGaussian()
                                    * (t.getName().endsWith("running_var") ? 0 : 1));
                }
                gb.setInitializer(i, t.toBuilder().setRawData(ByteString.copyFrom(out.flip())));
            }
        }
        return model.withProto(model.proto().toBuilder().setGraph(gb).build());
    }
}
