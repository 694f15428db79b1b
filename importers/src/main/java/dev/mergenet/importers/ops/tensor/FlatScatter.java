package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes update elements into a copy of the data at flat positions worked out on the host (from integer
 * indices). Duplicate targets are applied in rounds, each round holding at most one write per position, so
 * reductions accumulate in index order (as ONNX Runtime does) and every step stays a differentiable torch
 * gather/scatter: gradients reach both the data and the updates.
 */
final class FlatScatter {
    /** The 'reduction' attribute of ScatterElements and ScatterND. */
    enum Reduction {
        NONE,
        ADD,
        MUL,
        MAX,
        MIN;

        static Reduction parse(String s, int sinceVersion, OnnxNode node) {
            Reduction r = switch (s) {
                case "none" -> NONE;
                case "add" -> ADD;
                case "mul" -> MUL;
                case "max" -> MAX;
                case "min" -> MIN;
                default -> throw new MergeNetException(node.describe() + ": unknown reduction '" + s + "'");
            };
            if ((r == MAX || r == MIN) && sinceVersion < 18) {
                throw new MergeNetException(node.describe() + ": reduction '" + s + "' needs opset 18");
            }
            return r;
        }
    }

    private FlatScatter() {}

    static NDArray apply(
            NDArray data, NDArray updates, long[] targets, long[] sources, Reduction reduction, NDManager manager) {
        NDArray out = data.reshape(-1);
        NDArray src = updates.reshape(-1);
        int n = targets.length;
        int[] round = new int[n];
        Map<Long, Integer> seen = new HashMap<>();
        int rounds = 0;
        for (int i = 0; i < n; i++) {
            int r = seen.merge(targets[i], 1, Integer::sum) - 1;
            round[i] = r;
            rounds = Math.max(rounds, r + 1);
        }
        for (int r = 0; r < rounds; r++) {
            int count = 0;
            for (int i = 0; i < n; i++) {
                count += round[i] == r ? 1 : 0;
            }
            long[] t = new long[count];
            long[] s = new long[count];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (round[i] == r) {
                    t[k] = targets[i];
                    s[k++] = sources[i];
                }
            }
            NDArray at = manager.create(t);
            NDArray values = src.gather(manager.create(s), 0);
            switch (reduction) {
                case ADD -> values = out.gather(at, 0).add(values);
                case MUL -> values = out.gather(at, 0).mul(values);
                case MAX -> values = out.gather(at, 0).maximum(values);
                case MIN -> values = out.gather(at, 0).minimum(values);
                default -> {}
            }
            out = out.scatter(at, values, 0);
        }
        return out.reshape(data.getShape());
    }
}
