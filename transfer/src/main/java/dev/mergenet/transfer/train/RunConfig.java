package dev.mergenet.transfer.train;

import dev.mergenet.transfer.adapter.AdapterConfig;
import java.nio.file.Path;
import java.util.function.Consumer;

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
        return edit(e -> e.mode = m);
    }

    public RunConfig withCycle(int c) {
        return edit(e -> e.cycle = c);
    }

    public RunConfig withCheckpoint(Path p, boolean doResume) {
        return edit(e -> {
            e.checkpoint = p;
            e.resume = doResume;
        });
    }

    public RunConfig withEpochs(int n) {
        return edit(e -> e.epochs = n);
    }

    public RunConfig withBatchSize(int b) {
        return edit(e -> e.batchSize = b);
    }

    public RunConfig withAdapter(AdapterConfig a, double aLr, int r, boolean frozen) {
        return edit(e -> {
            e.adapter = a;
            e.adapterLr = aLr;
            e.rank = r;
            e.frozenSource = frozen;
        });
    }

    public RunConfig withOptimizer(String opt, double newLr, String sched, double wd) {
        return edit(e -> {
            e.optimizer = opt;
            e.lr = newLr;
            e.schedule = sched;
            e.weightDecay = wd;
        });
    }

    public RunConfig withMomentum(double m) {
        return edit(e -> e.momentum = m);
    }

    public RunConfig withKd(double alpha, double temperature) {
        return edit(e -> {
            e.kdAlpha = alpha;
            e.kdTemperature = temperature;
        });
    }

    public RunConfig withSeed(long s) {
        return edit(e -> e.seed = s);
    }

    public RunConfig withTransferSchedule(double until, boolean evalGen) {
        return edit(e -> {
            e.transferUntil = until;
            e.evalGeneration = evalGen;
        });
    }

    /** A copy with some fields changed: the withers above name only what they change. */
    private RunConfig edit(Consumer<Editable> change) {
        Editable e = new Editable(this);
        change.accept(e);
        return e.build();
    }

    /** The record's fields, mutable, for {@link #edit}. */
    private static final class Editable {
        Mode mode;
        int epochs;
        int batchSize;
        String optimizer;
        double lr;
        double momentum;
        double weightDecay;
        String schedule;
        long seed;
        int cycle;
        double adapterLr;
        double adapterWeightDecay;
        double adapterClip;
        double adapterWarm;
        AdapterConfig adapter;
        int rank;
        boolean frozenSource;
        double kdAlpha;
        double kdTemperature;
        Path checkpoint;
        boolean resume;
        int evalBatchSize;
        double transferUntil;
        boolean evalGeneration;

        Editable(RunConfig c) {
            mode = c.mode;
            epochs = c.epochs;
            batchSize = c.batchSize;
            optimizer = c.optimizer;
            lr = c.lr;
            momentum = c.momentum;
            weightDecay = c.weightDecay;
            schedule = c.schedule;
            seed = c.seed;
            cycle = c.cycle;
            adapterLr = c.adapterLr;
            adapterWeightDecay = c.adapterWeightDecay;
            adapterClip = c.adapterClip;
            adapterWarm = c.adapterWarm;
            adapter = c.adapter;
            rank = c.rank;
            frozenSource = c.frozenSource;
            kdAlpha = c.kdAlpha;
            kdTemperature = c.kdTemperature;
            checkpoint = c.checkpoint;
            resume = c.resume;
            evalBatchSize = c.evalBatchSize;
            transferUntil = c.transferUntil;
            evalGeneration = c.evalGeneration;
        }

        RunConfig build() {
            return new RunConfig(mode, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                    adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                    kdTemperature, checkpoint, resume, evalBatchSize, transferUntil, evalGeneration);
        }
    }

    /** The settings a resumed run must share with the run that wrote the checkpoint. */
    public String fingerprint() {
        return String.join("|", mode.cliName(), "epochs=" + epochs, "batch=" + batchSize, optimizer, "lr=" + lr,
                "mom=" + momentum, "wd=" + weightDecay, schedule, "seed=" + seed, "cycle=" + cycle,
                "alr=" + adapterLr, "rank=" + rank, "frozen=" + frozenSource, "heads=" + adapter.heads(),
                "layers=" + adapter.layers(), "until=" + transferUntil, "generation=" + (evalGeneration ? "eval" : "train"));
    }
}
