package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * What takes part in a training step besides the target's own training ({@link TargetTraining}, the subject): a
 * frozen teacher, a co-trained source, MergeNet's adapters. The loop calls every participant, in the order the job
 * composed them, at three points of each step (design note 4.4 in docs/mergenet.md): before any model steps,
 * before the target steps, and after it. A participant keeps its own per-epoch measurements and its share of the
 * checkpoint, and owns the native memory it allocates until {@link #close()}.
 */
public interface StepParticipant extends AutoCloseable {
    /**
     * The part of the step this participant's work is.
     *
     * @return the role whose time and engine seed its work uses
     */
    StepRole role();

    /**
     * Called before the first step of each epoch.
     *
     * @param epoch 0-based epoch
     */
    default void startEpoch(int epoch) {}

    /**
     * Before any model steps (MergeNet injects W' here).
     *
     * @param step the step's batch, learning rate and scope
     */
    default void beforeModels(Step step) {}

    /**
     * Before the target steps (a co-trained source steps here; a teacher hands the target its scores).
     *
     * @param step the step's batch, learning rate and scope
     */
    default void beforeTarget(Step step) {}

    /**
     * After the target stepped (MergeNet's hypernetwork update).
     *
     * @param step the step's batch, learning rate and scope
     */
    default void afterTarget(Step step) {}

    /**
     * Writes this epoch's training measurements into its record, after the epoch's last step.
     *
     * @param record the epoch's record
     */
    default void summarize(EpochRecord record) {}

    /**
     * Writes this epoch's evaluation into its record, after the target was evaluated.
     *
     * @param record the epoch's record
     */
    default void evaluate(EpochRecord record) {}

    /**
     * Adds this participant's checkpoint state: tensors and counters under names unique to it.
     *
     * @param tensors  tensor name to value, appended to in order
     * @param counters counter name to value, appended to in order
     */
    default void saveState(Map<String, NDArray> tensors, Map<String, Long> counters) {}

    /**
     * Restores what {@link #saveState} saved.
     *
     * @param saved the checkpoint's tensors and counters
     * @param scope where temporary arrays live
     */
    default void restoreState(SavedState saved, NDManager scope) {}

    /** Frees the native memory this participant allocated; a closed participant refuses to take part again. */
    @Override
    default void close() {}
}
