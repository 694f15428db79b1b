package dev.mergenet.transfer.distill;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * A distillation loss with its hyperparameters, as `--kd-loss` names it. Defaults follow each paper's public code
 * for CIFAR-100 (Hinton τ 4; DKD α 1, β 8, τ 4; z-score τ 2; DIST β 1, γ 1, τ 1); tune on validation.
 */
public record KdLoss(Kind kind, double temperature, double alpha, double beta, double gamma) {

    /** The loss families. */
    public enum Kind {
        HINTON,
        DKD,
        ZSCORE,
        DIST;

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--kd-loss must be one of hinton, dkd, zscore, dist (not '" + s + "')");
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public KdLoss {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("--kd-temperature must be > 0 (not " + temperature + ")");
        }
        if (alpha < 0 || beta < 0 || gamma < 0) {
            throw new IllegalArgumentException("the weights of " + kind.cliName() + " must be >= 0");
        }
    }

    public static KdLoss defaults(Kind kind) {
        return switch (kind) {
            case HINTON -> new KdLoss(kind, 4, 0, 0, 0);
            case DKD -> new KdLoss(kind, 4, 1, 8, 0);
            case ZSCORE -> new KdLoss(kind, 2, 0, 0, 0);
            case DIST -> new KdLoss(kind, 1, 0, 1, 1);
        };
    }

    /**
     * The loss of {@code kind} as the options spell it: its own temperature unless {@code temperature} is given, and
     * only the weights this loss reads (DKD: alpha and beta; DIST: beta and gamma).
     */
    public static KdLoss of(
            Kind kind, Double temperature, double dkdAlpha, double dkdBeta, double distBeta, double distGamma) {
        double t = temperature == null ? defaults(kind).temperature() : temperature;
        return switch (kind) {
            case HINTON, ZSCORE -> new KdLoss(kind, t, 0, 0, 0);
            case DKD -> new KdLoss(kind, t, dkdAlpha, dkdBeta, 0);
            case DIST -> new KdLoss(kind, t, 0, distBeta, distGamma);
        };
    }

    /** The loss of student logits against teacher logits; {@code labels} (int64 [batch]) are read by DKD only. */
    public NDArray apply(NDArray student, NDArray teacher, NDArray labels) {
        if (!student.getShape().equals(teacher.getShape())) {
            throw new IllegalArgumentException("student scores " + student.getShape() + " and teacher scores "
                    + teacher.getShape() + " differ in shape");
        }
        return switch (kind) {
            case HINTON -> DistillationLosses.hinton(student, teacher, temperature);
            case DKD -> DistillationLosses.dkd(student, teacher, labels, alpha, beta, temperature);
            case ZSCORE -> DistillationLosses.zscore(student, teacher, temperature);
            case DIST -> DistillationLosses.dist(student, teacher, beta, gamma, temperature);
        };
    }

    /** e.g. "dkd (alpha 1, beta 8, T 4)". */
    public String describe() {
        return switch (kind) {
            case HINTON, ZSCORE -> kind.cliName() + " (T " + fmt(temperature) + ")";
            case DKD -> "dkd (alpha " + fmt(alpha) + ", beta " + fmt(beta) + ", T " + fmt(temperature) + ")";
            case DIST -> "dist (beta " + fmt(beta) + ", gamma " + fmt(gamma) + ", T " + fmt(temperature) + ")";
        };
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
