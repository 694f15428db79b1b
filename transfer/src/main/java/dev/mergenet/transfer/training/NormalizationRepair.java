package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.analysis.ChannelStatistics;
import dev.mergenet.importers.analysis.FoldedNormalization;
import dev.mergenet.importers.analysis.PreciseBatchNorm;
import dev.mergenet.importers.edit.RestoreNormalization;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.transfer.data.BatchOrder;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.data.SampleBatches;
import java.io.PrintStream;
import java.util.Locale;

/**
 * What training does about normalization: warns about (or, with --restore-norm, restores) BatchNorms an export
 * folded away, and recomputes running statistics before validation and export (precise BN).
 */
public final class NormalizationRepair {
    /** Training batches the restored norms' statistics and precise BN pass over (at most). */
    public static final int STATISTIC_BATCHES = 50;

    private NormalizationRepair() {}

    /**
     * The target as training should import it: with --restore-norm a BatchNormalization after each folded Conv,
     * the identity on {@code train}'s first batches; without it the model as it is, and the warning when folded.
     */
    public static OnnxModel prepare(
            OnnxModel model,
            boolean restore,
            boolean reheaded,
            LabeledData train,
            int batchSize,
            long seed,
            NDManager manager,
            PrintStream log) {
        if (!restore) {
            FoldedNormalization.find(model).ifPresent(f -> {
                if (log != null) {
                    log.println("warning: " + f.warning());
                }
            });
            return model;
        }
        var convs = RestoreNormalization.targets(model);
        SampleBatches batches = new SampleBatches(train, batchSize, STATISTIC_BATCHES, seed, manager);
        // a network at chance on this data (and not re-headed) is untrained: nothing to keep, start as fresh norms
        double accuracy = reheaded ? Double.NaN : accuracy(model, train, batchSize, seed, manager);
        boolean untrained = !reheaded && TrainingHealth.atChance(accuracy, 4 * batchSize, train.classes());
        RestoreNormalization.Restored r = RestoreNormalization.apply(
                model,
                ChannelStatistics.measure(model, convs, manager, batches),
                untrained ? RestoreNormalization.Start.STANDARD : RestoreNormalization.Start.IDENTITY);
        if (log != null) {
            log.printf(
                    Locale.ROOT,
                    "--restore-norm: %d BatchNormalizations put back after folded Convs, %s (statistics "
                            + "over %,d training samples)%n",
                    r.nodes().size(),
                    untrained
                            ? String.format(
                                    Locale.ROOT,
                                    "starting as fresh ones (scale 1, bias 0): the model is at chance on the training data (%.2f%%)",
                                    100 * accuracy)
                            : "the identity at step 0 (the model's own outputs kept)",
                    batches.samples());
        }
        return r.model();
    }

    /**
     * Whether a BatchNormalization keeps its running statistics with PyTorch momentum 0.05 or less (ONNX momentum
     * 0.95 or more, e.g. MobileNetV3's 0.01): they then lag the weights for hundreds of steps.
     */
    public static boolean lagging(OnnxGraphBlock block) {
        for (var n : block.runGraph().getNodeList()) {
            if (n.getOpType().equals("BatchNormalization")) {
                float m = 0.9f;
                for (var a : n.getAttributeList()) {
                    if (a.getName().equals("momentum")) {
                        m = a.getF();
                    }
                }
                if (m >= 0.95f) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Accuracy of the model as it is on the first four training batches (eval mode). */
    static double accuracy(OnnxModel model, LabeledData train, int batchSize, long seed, NDManager manager) {
        int[] order = BatchOrder.forEpoch(train.size(), seed, 0);
        int n = Math.min(train.size(), 4 * batchSize);
        long correct = 0;
        try (NDManager scope = manager.newSubManager();
                var block = OnnxImporter.load(model, scope)) {
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                try (NDManager step = scope.newSubManager()) {
                    var out = block.forward(
                                    new ParameterStore(step, false),
                                    new NDList(train.features(step, order, from, to)),
                                    false)
                            .head();
                    long[] predicted = out.reshape(to - from, -1).argMax(1).toLongArray();
                    for (int i = 0; i < predicted.length; i++) {
                        correct += predicted[i] == train.label(order[from + i]) ? 1 : 0;
                    }
                }
            }
        }
        return (double) correct / n;
    }

    /** Precise BN over the first training batches; null when the model has no BatchNormalization. */
    public static PreciseBatchNorm precise(OnnxGraphBlock target, NDManager manager) {
        PreciseBatchNorm p = new PreciseBatchNorm(target, manager);
        if (p.norms().isEmpty()) {
            p.close();
            return null;
        }
        return p;
    }

    /** Recomputes and returns the log line. */
    public static String recompute(
            PreciseBatchNorm precise, LabeledData train, int batchSize, long seed, NDManager manager) {
        SampleBatches batches = new SampleBatches(train, batchSize, STATISTIC_BATCHES, seed, manager);
        PreciseBatchNorm.Result r = precise.recompute(batches);
        return String.format(
                Locale.ROOT,
                "precise BN: running statistics of %d BatchNorms recomputed over %,d "
                        + "training samples (running means moved by up to %.3g)",
                r.norms(),
                batches.samples(),
                r.meanShift());
    }
}
