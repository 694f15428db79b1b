package dev.mergenet.transfer.train;

import dev.mergenet.transfer.adapter.AdapterConfig;
import java.nio.file.Path;

/**
 * Everything a training or transfer run depends on. Target and source share optimiser settings (section 4.6 of
 * the design note: both are trained identically); the adapter has its own AdamW settings.
 *
 * @param cycle         transfer every {@code cycle} steps (T_cycle); 0 disables transfer
 * @param rank          0: full source matrix; r > 0: the source's rank-r SVD factor √Σ·Vᵀ [r × q]
 * @param adapterWarm   fraction of adapter updates at constant learning rate before the cosine decay
 * @param checkpoint    where the per-epoch checkpoint is written (null: none)
 * @param transferUntil fraction of the training steps during which transfers happen (1: all, as the released code;
 *                      less leaves a transfer-free final phase, design question 9)
 * @param evalGeneration generate W' with the adapter in eval mode (no dropout, fixed spectral-norm buffers) instead
 *                      of train mode as the released code (design question 12); the VJP update is unchanged
 */
public record RunConfig(Mode mode, int epochs, int batchSize, String optimizer, double lr, double momentum,
                        double weightDecay, String schedule, long seed, int cycle, double adapterLr,
                        double adapterWeightDecay, double adapterClip, double adapterWarm, AdapterConfig adapter,
                        int rank, boolean frozenSource, double kdAlpha, double kdTemperature, Path checkpoint,
                        boolean resume, int evalBatchSize, double transferUntil, boolean evalGeneration) {
    public RunConfig {
        if (!(transferUntil > 0 && transferUntil <= 1)) {
            throw new IllegalArgumentException("--transfer-until " + transferUntil + ": expected a fraction in (0, 1]");
        }
    }

    public static RunConfig defaults(Mode mode, int epochs, long seed) {
        return new RunConfig(mode, epochs, 128, "sgd", 0.1, 0.9, 5e-4, "step", seed, 2, 1e-3, 5e-4, 50, 0.02,
                AdapterConfig.DEFAULT, 0, false, 0.9, 4.0, null, false, 500, 1.0, false);
    }

    public RunConfig withMode(Mode m) {
        return new RunConfig(m, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                kdTemperature, checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withCycle(int c) {
        return new RunConfig(mode, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, c,
                adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                kdTemperature, checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withCheckpoint(Path p, boolean doResume) {
        return new RunConfig(mode, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                kdTemperature, p, doResume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withEpochs(int e) {
        return new RunConfig(mode, e, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                kdTemperature, checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withBatchSize(int b) {
        return new RunConfig(mode, epochs, b, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                kdTemperature, checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withAdapter(AdapterConfig a, double aLr, int r, boolean frozen) {
        return new RunConfig(mode, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                aLr, adapterWeightDecay, adapterClip, adapterWarm, a, r, frozen, kdAlpha, kdTemperature, checkpoint,
                resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withOptimizer(String opt, double newLr, String sched, double wd) {
        return new RunConfig(mode, epochs, batchSize, opt, newLr, momentum, wd, sched, seed, cycle, adapterLr,
                adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha, kdTemperature,
                checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withMomentum(double m) {
        return new RunConfig(mode, epochs, batchSize, optimizer, lr, m, weightDecay, schedule, seed, cycle, adapterLr,
                adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha, kdTemperature,
                checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withKd(double alpha, double temperature) {
        return new RunConfig(mode, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, alpha,
                temperature, checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withSeed(long s) {
        return new RunConfig(mode, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, s, cycle,
                adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                kdTemperature, checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
    }

    public RunConfig withTransferSchedule(double until, boolean evalGen) {
        return new RunConfig(mode, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                kdTemperature, checkpoint, resume, evalBatchSize, until, evalGen);
    }

    /** The settings a resumed run must share with the run that wrote the checkpoint. */
    public String fingerprint() {
        return String.join("|", mode.cliName(), "epochs=" + epochs, "batch=" + batchSize, optimizer, "lr=" + lr,
                "mom=" + momentum, "wd=" + weightDecay, schedule, "seed=" + seed, "cycle=" + cycle,
                "alr=" + adapterLr, "rank=" + rank, "frozen=" + frozenSource, "heads=" + adapter.heads(),
                "layers=" + adapter.layers(), "until=" + transferUntil, "generation=" + (evalGeneration ? "eval" : "train"));
    }
}
