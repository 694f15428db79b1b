package dev.mergenet.transfer.config;

/**
 * Hinton distillation in the kd modes: the target's loss is (1 − α)·CE + α·τ²·KL.
 *
 * @param alpha       weight α of the distillation term, in [0, 1]
 * @param temperature temperature τ, positive
 */
public record DistillationSettings(double alpha, double temperature) {
    public static final DistillationSettings DEFAULT = new DistillationSettings(Defaults.KD_ALPHA,
            Defaults.KD_TEMPERATURE);

    public DistillationSettings {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("--kd-alpha " + alpha + ": expected a weight in [0, 1]");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("--kd-temperature " + temperature + ": expected a positive number");
        }
    }
}
