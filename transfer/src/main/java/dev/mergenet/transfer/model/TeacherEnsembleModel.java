package dev.mergenet.transfer.model;

import ai.djl.ndarray.NDArray;
import dev.mergenet.transfer.distill.DistillationLosses;
import dev.mergenet.transfer.distill.TeacherEnsemble;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Several frozen teachers as one (`--source` given more than once in kd mode): the mean of their logits, or their
 * weighted mean (--teacher-weights); a teacher ending in Softmax contributes its log-probabilities. Teachers that score different class counts are refused
 * on the first batch, with both named.
 */
public final class TeacherEnsembleModel implements TrainableModel {
    private final List<TrainableModel> teachers;
    private final List<String> names = new ArrayList<>();
    private final double[] weights;

    public TeacherEnsembleModel(List<TrainableModel> teachers) {
        this(teachers, null);
    }

    /** {@code weights}: one per teacher, normalized by their sum ({@link TeacherEnsemble#combine}); null: equal. */
    public TeacherEnsembleModel(List<TrainableModel> teachers, double[] weights) {
        if (teachers.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least two teachers");
        }
        if (weights != null && weights.length != teachers.size()) {
            throw new IllegalArgumentException(
                    weights.length + " teacher weights given for " + teachers.size() + " teachers");
        }
        this.teachers = List.copyOf(teachers);
        this.weights = weights == null ? null : weights.clone();
        teachers.forEach(t -> names.add(t.origin()));
    }

    @Override
    public String origin() {
        return String.join(" + ", names);
    }

    @Override
    public Map<String, NDArray> weights() {
        return Map.of();
    }

    @Override
    public Map<String, NDArray> state() {
        return Map.of();
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        List<NDArray> logits = new ArrayList<>();
        for (TrainableModel t : teachers) {
            logits.add(DistillationLosses.logits(t.forward(x, false), t.outputsProbabilities()));
        }
        return TeacherEnsemble.combine(logits, names, weights);
    }

    @Override
    public boolean outputsProbabilities() {
        return false;
    }

    @Override
    public void close() {
        teachers.forEach(TrainableModel::close);
    }
}
