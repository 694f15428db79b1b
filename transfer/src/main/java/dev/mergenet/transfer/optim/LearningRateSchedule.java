package dev.mergenet.transfer.optim;

/** Learning rate as a function of progress. */
public interface LearningRateSchedule {
    /** Rate for {@code step} (0-based) out of {@code total}. */
    double rate(long step, long total);

    /** MultiStepLR: base·γ^(number of milestones ≤ step); milestones as fractions of the total. */
    static LearningRateSchedule multiStep(double base, double gamma, double... fractions) {
        return (step, total) -> {
            int passed = 0;
            for (double f : fractions) {
                if (step >= Math.round(f * total)) {
                    passed++;
                }
            }
            return base * Math.pow(gamma, passed);
        };
    }

    /** Cosine annealing to 0 over the total. */
    static LearningRateSchedule cosine(double base) {
        return (step, total) -> base * (1 + Math.cos(Math.PI * Math.min(step, total) / Math.max(total, 1))) / 2;
    }

    /** The released adapter schedule: constant for the first {@code warm} steps, then cosine over the rest. */
    static LearningRateSchedule constantThenCosine(double base, long warm) {
        return (step, total) -> {
            if (step < warm) {
                return base;
            }
            long span = Math.max(total - warm, 1);
            return base * (1 + Math.cos(Math.PI * Math.min(step - warm, span) / span)) / 2;
        };
    }

    /**
     * Linear warm-up from base/warm over the first {@code warmFraction} of the steps, then cosine to 0: the
     * fine-tuning schedule, applied per step (a pretrained model's first steps at full rate are what blows it up).
     */
    static LearningRateSchedule warmupCosine(double base, double warmFraction) {
        return (step, total) -> {
            long warm = Math.max(1, Math.round(warmFraction * total));
            if (step < warm) {
                return base * (step + 1) / warm;
            }
            long span = Math.max(total - warm, 1);
            return base * (1 + Math.cos(Math.PI * Math.min(step - warm, span) / span)) / 2;
        };
    }

    /** Whether the named schedule changes the rate at every step (else once per epoch). */
    static boolean perStep(String name) {
        return name.equalsIgnoreCase("warmup-cosine");
    }

    static LearningRateSchedule constant(double base) {
        return (step, total) -> base;
    }

    /** Parses "step" (milestones 50%/75%, γ 0.2), "cosine", "warmup-cosine" (5% warm-up) or "constant". */
    static LearningRateSchedule parse(String name, double base) {
        return switch (name.toLowerCase()) {
            case "step" -> multiStep(base, 0.2, 0.5, 0.75);
            case "cosine" -> cosine(base);
            case "warmup-cosine" -> warmupCosine(base, 0.05);
            case "constant" -> constant(base);
            default ->
                throw new IllegalArgumentException(
                        "--schedule " + name + ": expected step, cosine, warmup-cosine or constant");
        };
    }
}
