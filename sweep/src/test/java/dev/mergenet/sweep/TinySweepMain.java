package dev.mergenet.sweep;

import java.nio.file.Path;
import java.util.List;

/** A driver in a JVM of its own, for the driver-kill test: the tiny sweep in local[2]. Args: MODELS_DIR OUT. */
public final class TinySweepMain {
    /** Long enough that a trial JVM is still training a while after the driver's kill (seconds, not a blink). */
    static final int EPOCHS = 3;

    static final int TRAIN_LIMIT = 1000;

    private TinySweepMain() {}

    static SweepPlan plan(Path models, Path out) {
        return TinySweep.plan(models, out, List.of("alone", "kd"), 2, EPOCHS, TRAIN_LIMIT, List.of());
    }

    public static void main(String[] args) {
        SweepPlan plan = plan(Path.of(args[0]), Path.of(args[1]));
        SweepDriver.run(plan, TinySweep.local(2), false, null, System.err);
    }
}
