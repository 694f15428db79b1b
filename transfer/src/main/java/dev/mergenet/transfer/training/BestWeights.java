package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.transfer.model.TrainableModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** A copy of the target's weights and running statistics at its best validation epoch (--keep best). */
final class BestWeights implements AutoCloseable {
    private final Map<String, NDArray> copy = new LinkedHashMap<>();
    private int epoch;
    private double valAccuracy = Double.NaN;

    /** Keeps the model's current values if {@code accuracy} beats the best so far; returns whether it did. */
    boolean offer(TrainableModel model, int epochNumber, double accuracy, NDManager owner) {
        if (!Double.isFinite(accuracy) || (!Double.isNaN(valAccuracy) && accuracy <= valAccuracy)) {
            return false;
        }
        capture(model, owner);
        epoch = epochNumber;
        valAccuracy = accuracy;
        return true;
    }

    private void capture(TrainableModel model, NDManager owner) {
        copy.values().forEach(NDArray::close);
        copy.clear();
        all(model).forEach((k, v) -> {
            NDArray c = v.stopGradient().duplicate();
            c.attach(owner);
            copy.put(k, c);
        });
    }

    /** Restores state read from a checkpoint. */
    void restore(Map<String, NDArray> values, int epochNumber, double accuracy, NDManager owner) {
        copy.values().forEach(NDArray::close);
        copy.clear();
        values.forEach((k, v) -> {
            NDArray c = v.duplicate();
            c.attach(owner);
            copy.put(k, c);
        });
        epoch = epochNumber;
        valAccuracy = accuracy;
    }

    /** Writes the kept values into the model. */
    void applyTo(TrainableModel model, NDManager scope) {
        all(model).forEach((k, v) -> {
            NDArray c = copy.get(k);
            if (c != null) {
                Scopes.assign(v, c, scope);
            }
        });
    }

    static Map<String, NDArray> all(TrainableModel model) {
        Map<String, NDArray> m = new LinkedHashMap<>(model.weights());
        m.putAll(model.state());
        return m;
    }

    boolean isEmpty() {
        return copy.isEmpty();
    }

    Map<String, NDArray> values() {
        return copy;
    }

    /** 1-based epoch of the kept weights (0: none). */
    int epoch() {
        return epoch;
    }

    double valAccuracy() {
        return valAccuracy;
    }

    /** Frees the copy (the epoch and accuracy stay readable). */
    @Override
    public void close() {
        copy.values().forEach(NDArray::close);
        copy.clear();
    }
}
