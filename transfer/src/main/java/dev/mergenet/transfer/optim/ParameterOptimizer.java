package dev.mergenet.transfer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** Updates named parameters in place from their gradients (call outside any gradient collector). */
public interface ParameterOptimizer extends OptimizerState, AutoCloseable {
    void step(Map<String, NDArray> params, double lr, NDManager scope);

    /** Frees the optimizer's state (momentum or moment buffers); stepping afterwards fails. */
    @Override
    void close();
}
