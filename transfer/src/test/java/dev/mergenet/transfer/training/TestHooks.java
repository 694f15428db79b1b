package dev.mergenet.transfer.training;

import dev.mergenet.importers.testing.NativeMemoryChurn;

/** Step listeners the loop tests attach: native-memory churn before every backward pass, a kill mid-epoch. */
final class TestHooks {
    private TestHooks() {}

    /** Frees and reuses native memory right before each backward pass (the adapter NaN of the past read freed memory). */
    static StepListener churn() {
        return new StepListener() {
            @Override
            public void beforeBackward() {
                NativeMemoryChurn.run();
            }
        };
    }

    /** Throws after {@code steps} steps, as if the process were killed mid-epoch. */
    static StepListener abortAt(long steps) {
        return new StepListener() {
            @Override
            public void afterStep(long stepsDone) {
                if (stepsDone == steps) {
                    throw new IllegalStateException("aborted at step " + stepsDone + " (test hook)");
                }
            }
        };
    }
}
