package dev.mergenet.sweep;

import dev.mergenet.transfer.training.TrainingHealth;
import java.io.Serializable;

/**
 * A trial's summary row, what a task hands back to the driver: accuracies as fractions, NaN where not measured.
 *
 * @param failure the failure's message for a failed trial, null for a finished one
 * @param resumedFromEpoch the epoch the last attempt resumed from (0: it started fresh)
 * @param testSamples the test set's size, 0 where unknown (records written before it was kept)
 * @param classes the model's class count, 0 where unknown
 */
public record TrialRow(
        String id,
        String arm,
        long seed,
        String config,
        double finalTest,
        double testAtBestVal,
        double bestVal,
        double secondsPerEpoch,
        double adapterShare,
        int resumedFromEpoch,
        int testSamples,
        int classes,
        String failure)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public boolean failed() {
        return failure != null;
    }

    /** Whether the final test accuracy is within noise of chance; false where the counts are unknown. */
    public boolean atChance() {
        return !failed() && testSamples > 0 && classes > 0 && TrainingHealth.atChance(finalTest, testSamples, classes);
    }

    static TrialRow failed(TrialSpec spec, String message) {
        return new TrialRow(
                spec.id(),
                spec.arm(),
                spec.seed(),
                spec.configLabel(),
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                0,
                0,
                0,
                message);
    }
}
