package dev.mergenet.sweep;

import java.io.Serializable;

/**
 * A trial's summary row, what a task hands back to the driver: accuracies as fractions, NaN where not measured.
 *
 * @param failure the failure's message for a failed trial, null for a finished one
 * @param resumedFromEpoch the epoch the last attempt resumed from (0: it started fresh)
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
        String failure)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public boolean failed() {
        return failure != null;
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
                message);
    }
}
