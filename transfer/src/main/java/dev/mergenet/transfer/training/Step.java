package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One step of a run as its participants see it: the target's batch, the learning rate, a scope that is closed
 * after the step, and the teacher's scores once a participant handed them over.
 */
public final class Step {
    private final TransferRun run;
    private final long index;
    private final NDManager scope;
    private final int[] order;
    private final int from;
    private final int to;
    private final NDArray features;
    private final NDArray labels;
    private final double lr;
    private NDArray teacherScores;
    private boolean teacherProbabilities;

    Step(
            TransferRun run,
            long index,
            NDManager scope,
            int[] order,
            int from,
            int to,
            NDArray features,
            NDArray labels,
            double lr) {
        this.run = run;
        this.index = index;
        this.scope = scope;
        this.order = order;
        this.from = from;
        this.to = to;
        this.features = features;
        this.labels = labels;
        this.lr = lr;
    }

    /** Steps before this one since the run began (0-based, across epochs). */
    public long index() {
        return index;
    }

    /** Where the step's temporary arrays live; closed after the step. */
    public NDManager scope() {
        return scope;
    }

    /** The epoch's sample order; this step's batch is {@code order[from, to)}. */
    public int[] order() {
        return order;
    }

    public int from() {
        return from;
    }

    public int to() {
        return to;
    }

    /** The target's batch. */
    public NDArray features() {
        return features;
    }

    public NDArray labels() {
        return labels;
    }

    /** The target's learning rate at this step. */
    public double lr() {
        return lr;
    }

    /** Seeds the engine for {@code role}'s work of this step (dropout masks depend on seed, step and role only). */
    public void reseed(StepRole role) {
        run.reseed(index, role);
    }

    /**
     * Hands the target a teacher's scores of this batch, for its distillation term.
     *
     * @param scores        scores [batch, classes] without gradient
     * @param probabilities whether they are probabilities rather than logits
     */
    public void teach(NDArray scores, boolean probabilities) {
        this.teacherScores = scores;
        this.teacherProbabilities = probabilities;
    }

    /** The teacher's scores of this batch (null: no distillation this step). */
    public NDArray teacherScores() {
        return teacherScores;
    }

    public boolean teacherProbabilities() {
        return teacherProbabilities;
    }

    /** To be run inside a gradient collector right before its backward pass (tells the run's listeners). */
    public void beforeBackward() {
        run.beforeBackward();
    }

    /** A non-finite loss stops the run, naming the step and the last good checkpoint. */
    public void checkFinite(String what, double value) {
        if (!Double.isFinite(value)) {
            throw run.diverged(what + " is " + value);
        }
    }
}
