package dev.mergenet.transfer.config;

import dev.mergenet.transfer.distill.KdLoss;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Everything a training or transfer run depends on, by what it is about: the mode and whether the source is frozen,
 * the optimisation of the models, distillation, MergeNet's adapter, and run control (keep, stopping, checkpoints).
 * Build one with {@link #builder(Mode)}; each part validates when built.
 */
public record RunConfig(
        Mode mode,
        boolean frozenSource,
        TrainingSettings training,
        DistillationSettings distillation,
        AdapterSettings adapter,
        RunControl control) {
    public RunConfig {
        if (mode == null || training == null || distillation == null || adapter == null || control == null) {
            throw new IllegalArgumentException(
                    "a run needs a mode, training, distillation, adapter and control " + "settings");
        }
    }

    /** A run of {@code mode} with every setting at its {@link Defaults}. */
    public static Builder builder(Mode mode) {
        return new Builder(mode);
    }

    /** The defaults with this mode, epoch count and seed. */
    public static RunConfig defaults(Mode mode, int epochs, long seed) {
        return builder(mode).training(t -> t.epochs(epochs).seed(seed)).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder(mode);
        b.frozenSource = frozenSource;
        b.training = training.toBuilder();
        b.distillation = distillation;
        b.adapter = adapter.toBuilder();
        b.control = control;
        return b;
    }

    public RunConfig withMode(Mode m) {
        return toBuilder().mode(m).build();
    }

    public RunConfig withSeed(long s) {
        return toBuilder().training(t -> t.seed(s)).build();
    }

    public RunConfig withEpochs(int n) {
        return toBuilder().training(t -> t.epochs(n)).build();
    }

    public RunConfig withCheckpoint(Path p, boolean doResume) {
        return toBuilder().control(c -> c.withCheckpoint(p, doResume)).build();
    }

    /** Assembles and validates a {@link RunConfig}; starts from {@link Defaults}. */
    public static final class Builder {
        private Mode mode;
        private boolean frozenSource = Defaults.FROZEN_SOURCE;
        private TrainingSettings.Builder training = TrainingSettings.builder();
        private DistillationSettings distillation = DistillationSettings.DEFAULT;
        private AdapterSettings.Builder adapter = AdapterSettings.builder();
        private RunControl control = RunControl.DEFAULT;

        private Builder(Mode mode) {
            this.mode = mode;
        }

        public Builder mode(Mode m) {
            mode = m;
            return this;
        }

        /** The source is pretrained and frozen (a teacher in eval mode; read for its weights by MergeNet). */
        public Builder frozenSource(boolean v) {
            frozenSource = v;
            return this;
        }

        public Builder training(Consumer<TrainingSettings.Builder> edit) {
            edit.accept(training);
            return this;
        }

        /** Hinton distillation; the teacher kind and warm-up are kept. */
        public Builder distillation(double alpha, double temperature) {
            return distillation(alpha, new DistillationSettings(alpha, temperature).loss());
        }

        /** Distillation with any {@link dev.mergenet.transfer.distill.KdLoss} (--kd-loss); teacher and warm-up kept. */
        public Builder distillation(double alpha, KdLoss loss) {
            distillation = new DistillationSettings(alpha, loss, distillation.teacher(), distillation.warmupEpochs());
            return this;
        }

        /** The random-teacher control (--teacher random) or the trained source(s). */
        public Builder teacher(Teacher t) {
            distillation = distillation.withTeacher(t);
            return this;
        }

        /** Linear ramp of the distillation term's weight over this many epochs (--kd-warmup; 0: off). */
        public Builder kdWarmup(double epochs) {
            distillation = distillation.withWarmup(epochs);
            return this;
        }

        public Builder adapter(Consumer<AdapterSettings.Builder> edit) {
            edit.accept(adapter);
            return this;
        }

        public Builder control(UnaryOperator<RunControl> edit) {
            control = edit.apply(control);
            return this;
        }

        public RunConfig build() {
            return new RunConfig(mode, frozenSource, training.build(), distillation, adapter.build(), control);
        }
    }

    /**
     * The settings a resumed run must share with the run that wrote the checkpoint, by name. The epoch count is not
     * among them: a finished run can be extended with more epochs. Early stopping and --keep only decide what is
     * exported, so they are not either.
     */
    public Map<String, String> fingerprint() {
        Map<String, String> f = new LinkedHashMap<>();
        TrainingSettings t = training;
        f.put("mode", mode.cliName());
        f.put("batch-size", Integer.toString(t.batchSize()));
        f.put("optimizer", t.optimizer().cliName());
        f.put("lr", Double.toString(t.lr()));
        f.put("momentum", Double.toString(t.momentum()));
        f.put("weight-decay", Double.toString(t.weightDecay()));
        f.put("schedule", t.schedule().cliName());
        f.put("seed", Long.toString(t.seed()));
        if (mode.distils()) {
            f.put("kd-alpha", Double.toString(distillation.alpha()));
            f.put("kd-temperature", Double.toString(distillation.temperature()));
            if (distillation.loss().kind() != KdLoss.Kind.HINTON) {
                f.put("kd-loss", distillation.loss().describe());
            }
            // only when set, so checkpoints written before these settings existed still resume
            if (distillation.teacher() != Teacher.TRAINED) {
                f.put("teacher", distillation.teacher().cliName());
            }
            if (distillation.warmupEpochs() > 0) {
                f.put("kd-warmup", Double.toString(distillation.warmupEpochs()));
            }
        }
        f.put("frozen-source", Boolean.toString(frozenSource));
        if (mode.usesAdapter()) {
            AdapterSettings a = adapter;
            f.put("cycle", Integer.toString(a.cycle()));
            f.put("adapter-lr", Double.toString(a.lr()));
            f.put("rank", Integer.toString(a.rank()));
            f.put("heads", Integer.toString(a.config().heads()));
            f.put("layers", Integer.toString(a.config().layers()));
            f.put("transfer-until", Double.toString(a.transferUntil()));
            f.put("generation", a.generation().cliName());
            f.put("adapter-output", a.output().cliName());
            f.put("gate-lr", Double.toString(a.gateLr()));
            f.put("max-adapter-ratio", Double.toString(a.maxAdapterRatio()));
        }
        return f;
    }
}
