package dev.mergenet.transfer.config;

import dev.mergenet.transfer.distill.KdLoss;

/**
 * Distillation in the kd modes: the target's loss is (1 − α)·CE + α·KD, KD one of the losses of {@link KdLoss}
 * (Hinton's τ²·KL by default).
 *
 * @param alpha        weight α of the distillation term, in [0, 1]
 * @param loss         the distillation loss and its hyperparameters (temperature included)
 * @param teacher      the trained source(s), or the random-teacher control (the same models re-initialized)
 * @param warmupEpochs epochs over which the distillation term's weight ramps linearly from 0 to 1, per step (0: off)
 */
public record DistillationSettings(double alpha, KdLoss loss, Teacher teacher, double warmupEpochs) {
    public static final DistillationSettings DEFAULT =
            new DistillationSettings(Defaults.KD_ALPHA, Defaults.KD_TEMPERATURE);

    public DistillationSettings {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("--kd-alpha " + alpha + ": expected a weight in [0, 1]");
        }
        if (loss == null) {
            throw new IllegalArgumentException("a distillation loss is needed");
        }
        if (teacher == null) {
            throw new IllegalArgumentException("a teacher kind (trained or random) is needed");
        }
        if (!(warmupEpochs >= 0) || Double.isInfinite(warmupEpochs)) {
            throw new IllegalArgumentException("--kd-warmup " + warmupEpochs + ": expected a number of epochs >= 0");
        }
    }

    /** {@code loss} from the trained teacher, no warm-up. */
    public DistillationSettings(double alpha, KdLoss loss) {
        this(alpha, loss, Teacher.TRAINED, 0);
    }

    /** Hinton distillation at {@code temperature}. */
    public DistillationSettings(double alpha, double temperature) {
        this(alpha, hinton(temperature));
    }

    /** The loss's temperature τ. */
    public double temperature() {
        return loss.temperature();
    }

    public DistillationSettings withTeacher(Teacher t) {
        return new DistillationSettings(alpha, loss, t, warmupEpochs);
    }

    public DistillationSettings withWarmup(double epochs) {
        return new DistillationSettings(alpha, loss, teacher, epochs);
    }

    private static KdLoss hinton(double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("--kd-temperature " + temperature + ": expected a positive number");
        }
        return new KdLoss(KdLoss.Kind.HINTON, temperature, 0, 0, 0);
    }
}
