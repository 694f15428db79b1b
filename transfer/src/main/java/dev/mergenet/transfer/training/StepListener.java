package dev.mergenet.transfer.training;

/** Observes a run's steps from outside the loop (tests use it to churn native memory or stop a run mid-epoch). */
public interface StepListener {
    /** Runs inside each gradient collector right before its backward pass. */
    default void beforeBackward() {}

    /**
     * Runs after each completed step.
     *
     * @param stepsDone steps completed since the run began (a resumed run counts the restored ones)
     */
    default void afterStep(long stepsDone) {}
}
