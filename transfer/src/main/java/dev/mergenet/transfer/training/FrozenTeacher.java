package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.model.TrainableModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A frozen, pretrained source used as a distillation teacher: always in eval mode, never trained. Its scores of the
 * training set do not change, so they are computed once and gathered per batch (unless they would take more than
 * {@link #CACHE_LIMIT_BYTES}). The teacher reads its own view of the data ({@code --source-resize},
 * {@code --source-channels}), sample for sample the same as the target's.
 */
public final class FrozenTeacher implements StepParticipant {
    static final long CACHE_LIMIT_BYTES = 512L << 20;

    private final TrainableModel model;
    private final LabeledData view;
    private final int batchSize;
    private final NDManager owner;
    private NDArray cache;
    private boolean closed;

    /**
     * @param view  the training set as the teacher sees it (same samples in the same order as the target's)
     * @param owner where the cached scores live until {@link #close()}
     */
    public FrozenTeacher(TrainableModel model, LabeledData view, int batchSize, NDManager owner) {
        this.model = model;
        this.view = view;
        this.batchSize = batchSize;
        this.owner = owner;
    }

    @Override
    public StepRole role() {
        return StepRole.SOURCE;
    }

    @Override
    public void beforeTarget(Step step) {
        step.teach(scores(step.order(), step.from(), step.to(), step.scope()), model.outputsProbabilities());
    }

    /** Scores of training samples order[from, to), without gradient, created in {@code scope}. */
    public NDArray scores(int[] order, int from, int to, NDManager scope) {
        if (closed) {
            throw new IllegalStateException("the frozen teacher " + model.origin() + " was used after close()");
        }
        if (cache == null && (long) view.size() * view.classes() * 4 <= CACHE_LIMIT_BYTES) {
            cache = computeAll(owner);
        }
        if (cache != null) {
            int[] rows = Arrays.copyOfRange(order, from, to);
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
            List<NDArray> parts = new ArrayList<>();
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(from + batchSize, n);
                parts.add(model.forward(view.features(scope, all, from, to), false)
                        .stopGradient());
            }
            out = NDArrays.concat(new NDList(parts), 0);
            out.attach(owner);
        }
        return out;
    }

    public TrainableModel model() {
        return model;
    }

    /** Frees the cached scores; the model belongs to the job. */
    @Override
    public void close() {
        closed = true;
        if (cache != null) {
            cache.close();
            cache = null;
        }
    }
}
