package dev.mergenet.transfer.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ndarray.ScalarMath;

/**
 * Logit distillation losses as pure functions of [batch, classes] student and teacher logits (the teacher's carry
 * no gradient), each the batch mean as its paper's public code computes it. The task loss is the caller's.
 */
public final class DistillationLosses {
    private DistillationLosses() {}

    /** Logits from a model's scores: probabilities (a model ending in Softmax) become log-probabilities. */
    public static NDArray logits(NDArray scores, boolean probabilities) {
        return probabilities ? scores.clip(1e-12, 1.0).log() : scores;
    }

    /** Hinton KD: τ²·KL(softmax(t/τ) ‖ softmax(s/τ)), batch mean. */
    public static NDArray hinton(NDArray student, NDArray teacher, double temperature) {
        NDArray logPs = ScalarMath.div(student, temperature).logSoftmax(1);
        NDArray logPt = ScalarMath.div(teacher.stopGradient(), temperature).logSoftmax(1);
        return ScalarMath.mul(kl(logPt, logPs).mean(), temperature * temperature);
    }

    /**
     * Decoupled KD (Zhao et al., CVPR 2022): α·TCKD + β·NCKD, times τ². TCKD is the binary KL over (target class, all
     * others); NCKD the KL over the non-target classes alone (the target logit pushed down by 1000 before the softmax,
     * as the authors' code). {@code labels}: int64 [batch].
     */
    public static NDArray dkd(
            NDArray student, NDArray teacher, NDArray labels, double alpha, double beta, double temperature) {
        NDArray t = teacher.stopGradient();
        int classes = (int) student.getShape().get(1);
        NDArray gt = labels.oneHot(classes, student.getDataType());
        NDArray other = gt.neg().add(1);
        NDArray ps = ScalarMath.div(student, temperature).softmax(1);
        NDArray pt = ScalarMath.div(t, temperature).softmax(1);
        NDArray bs = NDArrays.stack(
                new NDList(ps.mul(gt).sum(new int[] {1}), ps.mul(other).sum(new int[] {1})), 1);
        NDArray bt = NDArrays.stack(
                new NDList(pt.mul(gt).sum(new int[] {1}), pt.mul(other).sum(new int[] {1})), 1);
        NDArray tckd = kl(bt.log(), bs.log()).mean();
        NDArray mask = ScalarMath.mul(gt, 1000.0);
        NDArray logPs2 = ScalarMath.div(student, temperature).sub(mask).logSoftmax(1);
        NDArray logPt2 = ScalarMath.div(t, temperature).sub(mask).logSoftmax(1);
        NDArray nckd = kl(logPt2, logPs2).mean();
        return ScalarMath.mul(ScalarMath.mul(tckd, alpha).add(ScalarMath.mul(nckd, beta)), temperature * temperature);
    }

    /**
     * Logit standardization KD (Sun et al., CVPR 2024): Hinton KD on each sample's logits standardized first,
     * (z − mean)/(std + 1e-7) with the unbiased std over the classes (torch.std), teacher and student separately.
     */
    public static NDArray zscore(NDArray student, NDArray teacher, double temperature) {
        return hinton(standardized(student), standardized(teacher.stopGradient()), temperature);
    }

    /** Per-row (z − mean)/(std + 1e-7), std with n − 1 as torch.std. */
    public static NDArray standardized(NDArray logits) {
        long classes = logits.getShape().get(1);
        NDArray centered = logits.sub(logits.mean(new int[] {1}, true));
        NDArray std = ScalarMath.div(centered.square().sum(new int[] {1}, true), classes - 1.0)
                .sqrt();
        return centered.div(std.add(1e-7));
    }

    /**
     * DIST (Huang et al., NeurIPS 2022): τ²·(β·inter + γ·intra) on the probabilities at temperature τ, with
     * inter = 1 − mean Pearson correlation of each sample's class probabilities, intra = the same per class
     * across the batch (eps 1e-8 in the cosine's denominator, as the authors' code).
     */
    public static NDArray dist(NDArray student, NDArray teacher, double beta, double gamma, double temperature) {
        NDArray ys = ScalarMath.div(student, temperature).softmax(1);
        NDArray yt = ScalarMath.div(teacher.stopGradient(), temperature).softmax(1);
        NDArray inter = pearsonDistance(ys, yt);
        NDArray intra = pearsonDistance(ys.transpose(), yt.transpose());
        return ScalarMath.mul(ScalarMath.mul(inter, beta).add(ScalarMath.mul(intra, gamma)), temperature * temperature);
    }

    /** 1 − the mean over rows of the Pearson correlation between a's and b's rows. */
    static NDArray pearsonDistance(NDArray a, NDArray b) {
        NDArray ac = a.sub(a.mean(new int[] {1}, true));
        NDArray bc = b.sub(b.mean(new int[] {1}, true));
        NDArray dot = ac.mul(bc).sum(new int[] {1});
        NDArray norms = ac.square()
                .sum(new int[] {1})
                .sqrt()
                .mul(bc.square().sum(new int[] {1}).sqrt());
        return dot.div(norms.add(1e-8)).mean().neg().add(1);
    }

    /** Per-row KL(p ‖ q) from log-probabilities; a zero p contributes zero (as torch's kl_div). */
    private static NDArray kl(NDArray logP, NDArray logQ) {
        return logP.exp().mul(logP.sub(logQ)).sum(new int[] {1});
    }
}
