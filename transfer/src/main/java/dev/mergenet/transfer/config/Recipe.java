package dev.mergenet.transfer.config;

/** A named learning rate and schedule: fine-tuning a pretrained model, or the released from-scratch recipe. */
public enum Recipe {
    FINETUNE(0.05, Schedule.WARMUP_COSINE),
    SCRATCH(Defaults.LR, Defaults.SCHEDULE);

    private final double lr;
    private final Schedule schedule;

    Recipe(double lr, Schedule schedule) {
        this.lr = lr;
        this.schedule = schedule;
    }

    public static Recipe parse(String s) {
        return switch (s) {
            case "finetune" -> FINETUNE;
            case "scratch" -> SCRATCH;
            default -> throw new IllegalArgumentException("--recipe " + s + ": expected finetune or scratch");
        };
    }

    public double lr() {
        return lr;
    }

    public Schedule schedule() {
        return schedule;
    }
}
