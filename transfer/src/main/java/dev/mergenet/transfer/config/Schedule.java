package dev.mergenet.transfer.config;

/** The target's learning-rate schedule. */
public enum Schedule {
    /** x0.2 at 50% and 75% of the epochs (the released recipe). */
    STEP,
    COSINE,
    /** 5% linear warm-up then cosine, per step. */
    WARMUP_COSINE,
    CONSTANT;

    public static Schedule parse(String s) {
        for (Schedule k : values()) {
            if (k.cliName().equals(s.toLowerCase())) {
                return k;
            }
        }
        throw new IllegalArgumentException("--schedule " + s + ": expected step, cosine, warmup-cosine or constant");
    }

    /** step, cosine, warmup-cosine or constant. */
    public String cliName() {
        return name().toLowerCase().replace('_', '-');
    }
}
