package dev.mergenet.sweep;

import java.nio.file.Path;
import java.util.List;

/** A driver in a JVM of its own, for the driver-kill test: the tiny sweep in local[2]. Args: MODELS_DIR OUT. */
public final class TinySweepMain {
    private TinySweepMain() {}

    public static void main(String[] args) {
        SweepPlan plan =
                TinySweep.plan(Path.of(args[0]), Path.of(args[1]), List.of("alone", "kd"), 2, 1, 300, List.of());
        SweepDriver.run(plan, TinySweep.local(2), false, null, System.err);
    }
}
