package dev.mergenet.transfer.training;

import dev.mergenet.core.errors.MergeNetException;

/** A non-finite loss: the run stops; the message names the step and the last good checkpoint. */
public final class TrainingDivergedException extends MergeNetException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
