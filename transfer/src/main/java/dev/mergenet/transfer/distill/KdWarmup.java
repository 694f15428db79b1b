package dev.mergenet.transfer.distill;

/**
 * The linear warm-up of the distillation term's weight (--kd-warmup EPOCHS), by step: at the run's 0-based step s,
 * min((s + 1) / (EPOCHS · stepsPerEpoch), 1). At the last step of epoch e it equals e / EPOCHS, the weight DKD's
 * reference code holds through its epoch e (min(epoch / warmup, 1), epochs counted from 1); 0 epochs: always 1.
 */
public record KdWarmup(double epochs, long stepsPerEpoch) {
    public static final KdWarmup OFF = new KdWarmup(0, 1);

    public KdWarmup {
        if (!(epochs >= 0) || Double.isInfinite(epochs)) {
            throw new IllegalArgumentException("--kd-warmup " + epochs + ": expected a number of epochs >= 0");
        }
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("a warm-up needs at least one step per epoch");
        }
    }

    /** The factor of the distillation term at the run's 0-based step {@code step}, in (0, 1]. */
    public double weight(long step) {
        if (epochs == 0) {
            return 1;
        }
        return Math.min((step + 1) / (epochs * stepsPerEpoch), 1);
    }

    /** The steps until the full weight, e.g. for the log. */
    public long steps() {
        return (long) Math.ceil(epochs * stepsPerEpoch);
    }
}
