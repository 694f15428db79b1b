package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import dev.mergenet.importers.ndarray.ScalarMath;

/** Cross-entropy and Hinton distillation on [batch, classes] scores. */
public final class Losses {
    private Losses() {}

    /** log-probabilities from logits, or from probabilities (a model ending in Softmax). */
    public static NDArray logProbabilities(NDArray scores, boolean probabilities) {
        return probabilities ? scores.clip(1e-12, 1.0).log() : scores.logSoftmax(1);
    }

    /** Mean cross-entropy; labels int64 [batch]. */
    public static NDArray crossEntropy(NDArray logp, NDArray labels) {
        int classes = (int) logp.getShape().get(1);
        return logp.mul(labels.oneHot(classes, logp.getDataType()))
                .sum(new int[] {1})
                .neg()
                .mean();
    }

    /** τ²·KL(softmax(zs/τ) ‖ softmax(zt/τ)), batch mean; the source scores carry no gradient. */
    public static NDArray distillation(
            NDArray targetScores, boolean targetProbs, NDArray sourceScores, boolean sourceProbs, double temperature) {
        NDArray zt = targetProbs ? targetScores.clip(1e-12, 1.0).log() : targetScores;
        NDArray zs = (sourceProbs ? sourceScores.clip(1e-12, 1.0).log() : sourceScores).stopGradient();
        NDArray logPt = ScalarMath.div(zt, temperature).logSoftmax(1);
        NDArray logPs = ScalarMath.div(zs, temperature).logSoftmax(1);
        return ScalarMath.mul(
                logPs.exp().mul(logPs.sub(logPt)).sum(new int[] {1}).mean(), temperature * temperature);
    }

    /** Number of rows whose arg-max equals the label. */
    public static long correct(NDArray scores, NDArray labels) {
        return scores.argMax(1)
                .toType(labels.getDataType(), false)
                .eq(labels)
                .sum()
                .getLong();
    }
}
