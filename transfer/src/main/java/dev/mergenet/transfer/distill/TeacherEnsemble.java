package dev.mergenet.transfer.distill;

import ai.djl.ndarray.NDArray;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ndarray.ScalarMath;
import java.util.List;

/** Several teachers' logits as one: their weighted mean (equal weights: the plain average). */
public final class TeacherEnsemble {
    private TeacherEnsemble() {}

    /**
     * Σ wᵢ·zᵢ / Σ wᵢ over the teachers' [batch, classes] logits; {@code names} (e.g. the files) name a teacher in
     * errors; {@code weights} null means equal weights.
     */
    public static NDArray combine(List<NDArray> logits, List<String> names, double[] weights) {
        if (logits.isEmpty() || logits.size() != names.size()) {
            throw new IllegalArgumentException(
                    "one name per teacher is needed (" + logits.size() + " teachers, " + names.size() + " names)");
        }
        if (weights != null && weights.length != logits.size()) {
            throw new IllegalArgumentException(
                    weights.length + " teacher weights given for " + logits.size() + " teachers");
        }
        long classes = logits.get(0).getShape().get(logits.get(0).getShape().dimension() - 1);
        double total = 0;
        for (int i = 0; i < logits.size(); i++) {
            long c = logits.get(i).getShape().get(logits.get(i).getShape().dimension() - 1);
            if (c != classes) {
                throw new MergeNetException("the teachers' class counts differ: " + names.get(0) + " scores "
                        + classes + " classes, " + names.get(i) + " " + c + "; every teacher must score the same"
                        + " classes in the same order");
            }
            if (!logits.get(i).getShape().equals(logits.get(0).getShape())) {
                throw new MergeNetException("the teachers' scores differ in shape: " + names.get(0) + " "
                        + logits.get(0).getShape() + ", " + names.get(i) + " "
                        + logits.get(i).getShape());
            }
            double w = weights == null ? 1 : weights[i];
            if (!(w >= 0)) {
                throw new IllegalArgumentException("teacher weight " + w + " of " + names.get(i) + " must be >= 0");
            }
            total += w;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("the teacher weights sum to 0");
        }
        NDArray sum = null;
        for (int i = 0; i < logits.size(); i++) {
            NDArray term = ScalarMath.mul(logits.get(i).stopGradient(), (weights == null ? 1 : weights[i]) / total);
            sum = sum == null ? term : sum.add(term);
        }
        return sum;
    }
}
