package dev.mergenet.transfer.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** Optimizer state that a checkpoint saves and restores: named buffers plus a step count. */
public interface OptimizerState {
    /** Buffers by "paramName/slot" name. */
    Map<String, NDArray> stateArrays();

    long steps();

    /** Restores state read from a checkpoint (arrays are copied into this optimizer's manager). */
    void restore(Map<String, NDArray> arrays, long steps);
}
