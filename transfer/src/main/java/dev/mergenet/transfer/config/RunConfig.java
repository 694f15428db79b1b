package dev.mergenet.transfer.config;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.adapter.AdapterOutput;
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
 * @param adapterOutput  released (W' = φ) or gated (W' = T + g⊙(s·φ − T), a deviation; see {@link AdapterOutput})
 * @param gateLr         AdamW learning rate of the gates (gated output only)
 * @param keep           which weights the run ends with and exports: the best-validation epoch's or the last
 * @param patience       stop after this many epochs without a better validation accuracy (0: never)
 * @param maxAdapterRatio adapter parameters allowed per target parameter before head widths are capped (0: no cap)
 * @param maxLossRatio   stop when the running training loss exceeds this multiple of the initial loss (0: never)
 */
public record RunConfig(Mode mode, int epochs, int batchSize, String optimizer, double lr, double momentum,
                        double weightDecay, String schedule, long seed, int cycle, double adapterLr,
                        double adapterWeightDecay, double adapterClip, double adapterWarm, AdapterConfig adapter,
                        int rank, boolean frozenSource, double kdAlpha, double kdTemperature, Path checkpoint,
                        boolean resume, int evalBatchSize, double transferUntil, boolean evalGeneration,
                        AdapterOutput adapterOutput, double gateLr, Keep keep, int patience, double maxAdapterRatio,
                        double maxLossRatio) {
    /** Which epoch's weights a run keeps and exports. */
    public enum Keep {
        BEST, LAST;

        public static Keep parse(String s) {
            return switch (s.toLowerCase()) {
                case "best" -> BEST;
                case "last" -> LAST;
                default -> throw new IllegalArgumentException("--keep " + s + ": expected best or last");
            };
        }
    }

    public RunConfig {
        if (!(transferUntil > 0 && transferUntil <= 1)) {
            throw new IllegalArgumentException("--transfer-until " + transferUntil + ": expected a fraction in (0, 1]");
        }
        if (patience < 0 || maxAdapterRatio < 0 || maxLossRatio < 0) {
            throw new IllegalArgumentException("--patience, --max-adapter-ratio and --max-loss-ratio must not be negative");
        }
    }

    public static RunConfig defaults(Mode mode, int epochs, long seed) {
        return new RunConfig(mode, epochs, 128, "sgd", 0.1, 0.9, 5e-4, "step", seed, 2, 1e-3, 5e-4, 50, 0.02,
                AdapterConfig.DEFAULT, 0, false, 0.9, 4.0, null, false, 500, 1.0, false, AdapterOutput.RELEASED, 1e-3,
                Keep.BEST, 0, 0, 10);
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

    public RunConfig withAdapterOutput(AdapterOutput output, double gLr) {
        return edit(e -> {
            e.adapterOutput = output;
            e.gateLr = gLr;
        });
    }

    public RunConfig withKeep(Keep k, int pat) {
        return edit(e -> {
            e.keep = k;
            e.patience = pat;
        });
    }

    public RunConfig withMaxAdapterRatio(double r) {
        return edit(e -> e.maxAdapterRatio = r);
    }

    public RunConfig withMaxLossRatio(double r) {
        return edit(e -> e.maxLossRatio = r);
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
        AdapterOutput adapterOutput;
        double gateLr;
        Keep keep;
        int patience;
        double maxAdapterRatio;
        double maxLossRatio;

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
            adapterOutput = c.adapterOutput;
            gateLr = c.gateLr;
            keep = c.keep;
            patience = c.patience;
            maxAdapterRatio = c.maxAdapterRatio;
            maxLossRatio = c.maxLossRatio;
        }

        RunConfig build() {
            return new RunConfig(mode, epochs, batchSize, optimizer, lr, momentum, weightDecay, schedule, seed, cycle,
                    adapterLr, adapterWeightDecay, adapterClip, adapterWarm, adapter, rank, frozenSource, kdAlpha,
                    kdTemperature, checkpoint, resume, evalBatchSize, transferUntil, evalGeneration, adapterOutput,
                    gateLr, keep, patience, maxAdapterRatio, maxLossRatio);
        }
    }

    /**
     * The settings a resumed run must share with the run that wrote the checkpoint, by name. The epoch count is not
     * among them: a finished run can be extended with more epochs. Early stopping and --keep only decide what is
     * exported, so they are not either.
     */
    public java.util.Map<String, String> fingerprint() {
        java.util.Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("mode", mode.cliName());
        f.put("batch-size", Integer.toString(batchSize));
        f.put("optimizer", optimizer);
        f.put("lr", Double.toString(lr));
        f.put("momentum", Double.toString(momentum));
        f.put("weight-decay", Double.toString(weightDecay));
        f.put("schedule", schedule);
        f.put("seed", Long.toString(seed));
        if (mode.distils()) {
            f.put("kd-alpha", Double.toString(kdAlpha));
            f.put("kd-temperature", Double.toString(kdTemperature));
        }
        f.put("frozen-source", Boolean.toString(frozenSource));
        if (mode.usesAdapter()) {
            f.put("cycle", Integer.toString(cycle));
            f.put("adapter-lr", Double.toString(adapterLr));
            f.put("rank", Integer.toString(rank));
            f.put("heads", Integer.toString(adapter.heads()));
            f.put("layers", Integer.toString(adapter.layers()));
            f.put("transfer-until", Double.toString(transferUntil));
            f.put("generation", evalGeneration ? "eval" : "train");
            f.put("adapter-output", adapterOutput.cliName());
            f.put("gate-lr", Double.toString(gateLr));
            f.put("max-adapter-ratio", Double.toString(maxAdapterRatio));
        }
        return f;
    }
}
