package dev.mergenet.transfer.config;

import java.nio.file.Path;

/**
 * What a run keeps, when it stops, and where it checkpoints.
 *
 * @param keep         which weights the run ends with and exports: the best-validation epoch's or the last
 * @param patience     stop after this many epochs without a better validation accuracy (0: never)
 * @param maxLossRatio stop when the running training loss exceeds this multiple of the initial loss (0: never)
 * @param checkpoint   where the per-epoch checkpoint is written (null: none)
 * @param resume       continue from that checkpoint
 */
public record RunControl(Keep keep, int patience, double maxLossRatio, Path checkpoint, boolean resume) {
    public static final RunControl DEFAULT =
            new RunControl(Defaults.KEEP, Defaults.PATIENCE, Defaults.MAX_LOSS_RATIO, null, false);

    public RunControl {
        if (keep == null) {
            throw new IllegalArgumentException("--keep is required");
        }
        if (patience < 0 || maxLossRatio < 0) {
            throw new IllegalArgumentException("--patience and --max-loss-ratio must not be negative");
        }
    }

    public RunControl withKeep(Keep k, int pat) {
        return new RunControl(k, pat, maxLossRatio, checkpoint, resume);
    }

    public RunControl withMaxLossRatio(double r) {
        return new RunControl(keep, patience, r, checkpoint, resume);
    }

    public RunControl withCheckpoint(Path p, boolean doResume) {
        return new RunControl(keep, patience, maxLossRatio, p, doResume);
    }
}
