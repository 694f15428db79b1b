package dev.mergenet.importers.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.analysis.ChannelStatistics;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.FoldedModels;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.importers.verify.TensorComparison;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pretrained network whose BatchNorms PyTorch folded keeps its outputs and accuracy when --restore-norm puts
 * them back: in eval mode the imported restored graph equals ONNX Runtime on the original folded file, and in
 * train mode (batch statistics) at step 0 it stays close to it.
 */
class RestoreNormalizationTest {
    @ParameterizedTest
    @ValueSource(strings = {"resnet", "mobilenet"})
    void pretrainedFoldedModelKeepsItsOutputsAndAccuracy(String net) throws Exception {
        OnnxModel folded = OnnxModelReader.read(FoldedModels.model(net + "_pretrained_folded"));
        int[] labels = FoldedModels.labels("eval");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                OrtRunner ort = new OrtRunner(FoldedModels.model(net + "_pretrained_folded"))) {
            NDArray train = FoldedModels.images(m, "train");
            NDArray eval = FoldedModels.images(m, "eval");
            List<String> convs = RestoreNormalization.targets(folded);
            Map<String, ChannelStatistics> stats =
                    ChannelStatistics.measure(folded, convs, m, FoldedModels.batches(train, 256));
            RestoreNormalization.Restored restored = RestoreNormalization.apply(folded, stats);
            assertEquals(convs.size(), restored.nodes().size());
            assertEquals(
                    convs.size(),
                    restored.model().proto().getGraph().getNodeList().stream()
                            .filter(n -> n.getOpType().equals("BatchNormalization"))
                            .count());

            NDArray reference = FoldedModels.ortLogits(ort, m, eval);
            double referenceAccuracy = FoldedModels.accuracy(reference, labels);
            assertEquals(
                    FoldedModels.reference(net + "_pretrained_accuracy"),
                    referenceAccuracy,
                    0.0021,
                    "ONNX Runtime against PyTorch's own accuracy of the export");
            OnnxGraphBlock block = OnnxImporter.load(restored.model(), m);
            assertEquals(
                    4 * convs.size(),
                    block.onnxParameters().size()
                            - OnnxImporter.load(folded, m).onnxParameters().size());
            assertEquals(2 * convs.size(), block.runningStatNames().size());
            NDArray inference = block.forward(new ParameterStore(m, false), new NDList(eval), false)
                    .head();
            TensorComparison.Result r =
                    TensorComparison.compare(inference, OrtCheck.host("logits", reference), 1e-4, 1e-3);
            assertTrue(r.ok(), net + " eval mode against ONNX Runtime on the folded file: " + r.reason());
            assertEquals(referenceAccuracy, FoldedModels.accuracy(inference, labels), 1e-9);

            // the restored file itself, in ONNX Runtime
            try (OrtRunner restoredOrt = new OrtRunner(restored.model().proto().toByteArray(), "restored")) {
                TensorComparison.Result o = TensorComparison.compare(
                        FoldedModels.ortLogits(restoredOrt, m, eval), OrtCheck.host("logits", reference), 1e-4, 1e-3);
                assertTrue(o.ok(), net + " restored file in ONNX Runtime: " + o.reason());
            }

            // step 0 of training: batch statistics of a 256-image training batch instead of the whole subset's
            NDArray batch = train.get("0:256");
            int[] batchLabels = java.util.Arrays.copyOf(FoldedModels.labels("train"), 256);
            NDArray trainMode = block.forward(new ParameterStore(m, false), new NDList(batch), true)
                    .head();
            NDArray evalMode = FoldedModels.ortLogits(ort, m, batch);
            double batchAccuracy = FoldedModels.accuracy(evalMode, batchLabels);
            double trainModeAccuracy = FoldedModels.accuracy(trainMode, batchLabels);
            int[] evalPredicted = Arrays.stream(
                            evalMode.argMax(1).toType(DataType.INT64, false).toLongArray())
                    .mapToInt(Math::toIntExact)
                    .toArray();
            double agreement = FoldedModels.accuracy(trainMode, evalPredicted);
            System.out.printf(
                    "%s: accuracy %.4f (PyTorch %.4f); 256 training images %.4f, train mode %.4f, same "
                            + "prediction %.4f%n",
                    net,
                    referenceAccuracy,
                    FoldedModels.reference(net + "_pretrained_accuracy"),
                    batchAccuracy,
                    trainModeAccuracy,
                    agreement);
            assertTrue(agreement >= 0.85, net + " train mode at step 0 agrees on " + agreement);
            assertEquals(batchAccuracy, trainModeAccuracy, 0.05, net + " train mode at step 0");
        }
    }

    @Test
    void refusesAModelWithNothingFolded() {
        OnnxModel kept = OnnxModelReader.read(FoldedModels.model("resnet_fresh_kept"));
        MergeNetException e = assertThrows(MergeNetException.class, () -> RestoreNormalization.targets(kept));
        assertTrue(e.getMessage().contains("resnet_fresh_kept.onnx: --restore-norm"), e.getMessage());
    }
}
