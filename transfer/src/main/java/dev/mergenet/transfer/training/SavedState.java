package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.exporters.TrainingCheckpoint;
import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint's tensors and counters as a run restores them.
 *
 * @param file     the checkpoint, for messages
 * @param tensors  every tensor by name
 * @param counters every counter by name
 */
public record SavedState(Path file, Map<String, NDArray> tensors, Map<String, Long> counters) {
    /** The tensors under {@code prefix}, by name without it. */
    public Map<String, NDArray> section(String prefix) {
        return TrainingCheckpoint.section(tensors, prefix);
    }

    /** A counter (0 when absent). */
    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    /** Assigns every array of {@code dst} the saved tensor {@code prefix + name}; a missing one is an error. */
    public void assignAll(Map<String, NDArray> dst, String prefix, NDManager scope) {
        Map<String, NDArray> src = section(prefix);
        for (Map.Entry<String, NDArray> e : dst.entrySet()) {
            NDArray v = src.get(e.getKey());
            if (v == null) {
                throw new MergeNetException(file + ": checkpoint has no tensor " + prefix + e.getKey());
            }
            Scopes.assign(e.getValue(), v.toDevice(e.getValue().getDevice(), false), scope);
        }
    }
}
