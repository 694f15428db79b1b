package dev.mergenet.transfer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.FoldedModels;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Schedule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `train` on PyTorch's default (folded) exports: the warning without --restore-norm; with it, a pretrained folded
 * network keeps its accuracy (learning rate near zero: only the restored norms' running statistics move) and the
 * --fold-norm export gives ONNX Runtime the accuracy training reported; precise BN is logged per epoch.
 */
class NormalizationJobTest {
    private static final int TRAIN = 1024;
    private static final int TEST = 500;

    @TempDir
    Path dir;

    @Test
    void pretrainedFoldedModelKeepsItsAccuracyWithRestoreNormAndFoldsBackOnExport() {
        Path model = FoldedModels.model("resnet_pretrained_folded");
        Path out = dir.resolve("restored.onnx");
        RunConfig cfg = RunConfig.builder(Mode.ALONE)
                .training(t -> t.epochs(1)
                        .seed(0)
                        .batchSize(64)
                        .lr(1e-7)
                        .schedule(Schedule.CONSTANT)
                        .weightDecay(0))
                .build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TransferJob.Result r = TransferJob.run(
                request(
                        model,
                        out,
                        cfg,
                        new TransferJob.Normalization(true, true, TransferJob.Normalization.PreciseBn.OFF)),
                Device.cpu(),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--restore-norm: 9 BatchNormalizations put back after folded Convs"), text);
        assertFalse(text.contains("normalization was folded away"), text);
        int[] labels = Arrays.copyOf(FoldedModels.labels("eval"), TEST);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                OrtRunner original = new OrtRunner(model);
                OrtRunner exported = new OrtRunner(out)) {
            NDArray images = FoldedModels.images(m, "eval").get("0:" + TEST);
            double before = FoldedModels.accuracy(FoldedModels.ortLogits(original, m, images), labels);
            double after = FoldedModels.accuracy(FoldedModels.ortLogits(exported, m, images), labels);
            System.out.printf(
                    "pretrained folded ResNet: %.4f before, %.4f after one epoch at lr 1e-7 with "
                            + "--restore-norm (reported %.4f)%n",
                    before, after, r.keptTestAccuracy());
            assertEquals(before, r.keptTestAccuracy(), 0.02, "accuracy kept through the restored norms");
            assertEquals(r.keptTestAccuracy(), after, 1e-9, "the --fold-norm export in ONNX Runtime");
        }
        var g = OnnxModelReader.read(out).proto().getGraph();
        assertEquals(
                0,
                g.getNodeList().stream()
                        .filter(n -> n.getOpType().equals("BatchNormalization"))
                        .count());
    }

    @Test
    void warnsOnAFoldedModelAndLogsPreciseBnWhereTheMomentumIsSmall() {
        RunConfig cfg = RunConfig.builder(Mode.ALONE)
                .training(t -> t.epochs(1).seed(0).batchSize(64))
                .build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TransferJob.run(
                request(FoldedModels.model("mobilenet_fresh_folded"), null, cfg, TransferJob.Normalization.NONE),
                Device.cpu(),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(
                text.contains("warning: ")
                        && text.contains(
                                "mobilenet_fresh_folded.onnx: normalization was folded " + "away by the export")
                        && text.contains("--restore-norm"),
                text);

        ByteArrayOutputStream log2 = new ByteArrayOutputStream();
        TransferJob.run(
                request(FoldedModels.model("mobilenet_fresh_kept"), null, cfg, TransferJob.Normalization.NONE),
                Device.cpu(),
                new PrintStream(log2, true, StandardCharsets.UTF_8));
        String text2 = log2.toString(StandardCharsets.UTF_8);
        assertTrue(text2.contains("precise BN: running statistics of 11 BatchNorms recomputed over"), text2);
        assertFalse(text2.contains("normalization was folded away"), text2);
    }

    /**
     * A fresh folded network is at chance on the data: --restore-norm starts the norms fresh and it trains as the
     * BatchNorm-kept export of the same weights does (same seed, data and order; precise BN on both).
     */
    @Test
    void freshFoldedModelWithRestoreNormTrainsLikeTheBatchNormKeptExport() {
        RunConfig cfg = RunConfig.builder(Mode.ALONE)
                .training(t -> t.epochs(2).seed(0).batchSize(64))
                .build();
        TransferJob.Normalization precise =
                new TransferJob.Normalization(false, false, TransferJob.Normalization.PreciseBn.ON);
        TransferJob.Result kept = TransferJob.run(
                request(FoldedModels.model("resnet_fresh_kept"), null, cfg, precise), Device.cpu(), null);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TransferJob.Result restored = TransferJob.run(
                request(
                        FoldedModels.model("resnet_fresh_folded"),
                        null,
                        cfg,
                        new TransferJob.Normalization(true, false, TransferJob.Normalization.PreciseBn.ON)),
                Device.cpu(),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        TransferJob.Result folded = TransferJob.run(
                request(FoldedModels.model("resnet_fresh_folded"), null, cfg, precise), Device.cpu(), null);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("starting as fresh ones (scale 1, bias 0)"), text);
        System.out.printf(
                "fresh tiny ResNet, 2 epochs: BatchNorm kept %.4f, folded + --restore-norm %.4f, folded "
                        + "%.4f test%n",
                kept.keptTestAccuracy(), restored.keptTestAccuracy(), folded.keptTestAccuracy());
        assertTrue(kept.keptTestAccuracy() > 0.4, "the BatchNorm-kept export trains: " + kept.keptTestAccuracy());
        assertTrue(folded.keptTestAccuracy() < kept.keptTestAccuracy() - 0.2, "the folded file as it is does not");
        assertEquals(kept.keptTestAccuracy(), restored.keptTestAccuracy(), 0.05);
    }

    private static TransferJob.Request request(Path model, Path out, RunConfig cfg, TransferJob.Normalization norm) {
        return TransferJob.Request.builder(model, "fashion-mnist:" + TestData.FASHION_MNIST, cfg)
                .limits(0, TRAIN, TEST)
                .outputs(out, null, null)
                .commandLine("test")
                .normalization(norm)
                .build();
    }
}
