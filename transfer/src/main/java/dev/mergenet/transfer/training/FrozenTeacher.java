package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.model.TrainableModel;

/**
 * A frozen, pretrained source used as a distillation teacher: always in eval mode, never trained. Its scores of the
 * training set do not change, so they are computed once and gathered per batch (unless they would take more than
 * {@link #CACHE_LIMIT_BYTES}). The teacher reads its own view of the data ({@code --source-resize},
 * {@code --source-channels}), sample for sample the same as the target's.
 */
public final class FrozenTeacher {
    static final long CACHE_LIMIT_BYTES = 512L << 20;

    private final TrainableModel model;
    private final LabeledData view;
    private final int batchSize;
    private NDArray cache;

    /** @param view the training set as the teacher sees it (same samples in the same order as the target's) */
    public FrozenTeacher(TrainableModel model, LabeledData view, int batchSize) {
        this.model = model;
        this.view = view;
        this.batchSize = batchSize;
    }

    /** Scores of training samples order[from, to), without gradient, created in {@code scope}. */
    public NDArray scores(int[] order, int from, int to, NDManager scope, NDManager owner) {
        if (cache == null && (long) view.size() * view.classes() * 4 <= CACHE_LIMIT_BYTES) {
            cache = computeAll(owner);
        }
        if (cache != null) {
            int[] rows = java.util.Arrays.copyOfRange(order, from, to);
            NDArray idx = scope.create(rows).toDevice(cache.getDevice(), false);
            return cache.get(idx);
        }
        return model.forward(view.features(scope, order, from, to), false).stopGradient();
    }

    private NDArray computeAll(NDManager owner) {
        int n = view.size();
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        NDArray out = null;
        try (NDManager scope = owner.newSubManager()) {
            java.util.List<NDArray> parts = new java.util.ArrayList<>();
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(from + batchSize, n);
                parts.add(model.forward(view.features(scope, all, from, to), false).stopGradient());
            }
            out = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts), 0);
            out.attach(owner);
        }
        return out;
    }

    public TrainableModel model() {
        return model;
    }
}
