package dev.mergenet.importers.ops.math;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * NegativeLogLikelihoodLoss: picks -input[n, target[n, ...], ...], weighted per class, with ignore_index and
 * reduction none/sum/mean (mean divides by the total weight of the targets that are not ignored).
 */
@OnnxOp(
        type = "NegativeLogLikelihoodLoss",
        since = {12, 13, 22})
public final class NegativeLogLikelihoodLoss implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        Reduction reduction = Reduction.of(node);
        Long ignore = node.attrs().has("ignore_index") ? node.attrs().getInt("ignore_index", 0) : null;
        return (ctx, in) -> {
            checkInputs(node, in);
            return new NDList(loss(node, in.get(0), in.get(1), in.optional(2), ignore, reduction));
        };
    }

    /**
     * Refuses what the engine would: scores (N, C, d...) of a float type, integer labels shaped (N, d...) and
     * weights of length C. Shape and type checks only; the labels' range is left to the engine (see loss).
     */
    static void checkInputs(OnnxNode node, OpInputs in) {
        long[] scores = in.get(0).getShape().getShape();
        long[] labels = in.get(1).getShape().getShape();
        String why = null;
        if (scores.length < 2 || !in.get(0).getDataType().isFloating()) {
            why = in.describe(0) + " must be floating point and shaped (N, C, d...)";
        } else if (!in.get(1).getDataType().isInteger()) {
            why = in.describe(1) + " must hold integer class indices";
        } else if (!fitsScores(scores, labels)) {
            why = in.describe(1) + " must be shaped as " + in.describe(0) + " without its class axis 1";
        } else if (in.has(2)
                && (in.get(2).getShape().dimension() != 1
                        || in.get(2).getShape().get(0) != scores[1])) {
            why = in.describe(2) + " must hold one weight per class (" + scores[1] + ")";
        }
        if (why != null) {
            throw new OnnxFormatException(node.describe() + ": " + why);
        }
    }

    private static boolean fitsScores(long[] scores, long[] labels) {
        if (labels.length != scores.length - 1 || labels[0] != scores[0]) {
            return false;
        }
        for (int i = 1; i < labels.length; i++) {
            if (labels[i] != scores[i + 1]) {
                return false;
            }
        }
        return true;
    }

    /** How the per-element losses are combined. */
    enum Reduction {
        NONE,
        SUM,
        MEAN;

        static Reduction of(OnnxNode node) {
            String r = node.attrs().getString("reduction", "mean");
            switch (r) {
                case "none":
                    return NONE;
                case "sum":
                    return SUM;
                case "mean":
                    return MEAN;
                default:
                    throw new MergeNetException(node.describe() + ": unknown reduction '" + r + "'");
            }
        }
    }

    /** The loss of log-probabilities {@code input} (N, C, d...) against class indices {@code target} (N, d...). */
    static NDArray loss(
            OnnxNode node, NDArray input, NDArray target, NDArray weight, Long ignore, Reduction reduction) {
        if (input.getShape().dimension() != target.getShape().dimension() + 1) {
            throw new OnnxFormatException(node.describe() + ": input " + input.getShape() + " and target "
                    + target.getShape() + " do not fit (N, C, d...) and (N, d...)");
        }
        DataType type = input.getDataType();
        NDArray t = target.toType(DataType.INT64, false);
        NDArray keep = ignore == null ? null : t.neq(ignore);
        NDArray safe = keep == null ? t : t.mul(keep.toType(DataType.INT64, false));
        NDArray picked;
        NDArray w;
        try {
            picked = input.gather(safe.expandDims(1), 1).squeeze(1);
            w = weight == null ? null : weight.gather(safe.flatten(), 0).reshape(t.getShape());
        } catch (EngineException e) {
            // the labels' range [0, C) is checked by the engine, so valid labels cost no pass over them here
            throw new OnnxFormatException(
                    node.describe() + ": labels '" + node.inputs().get(1) + "' "
                            + target.getShape() + " hold a class outside [0, "
                            + input.getShape().get(1)
                            + ") that is not ignore_index" + (ignore == null ? "" : " " + ignore) + ", for scores "
                            + input.getShape() + " (" + e.getMessage() + ")",
                    e);
        }
        if (w != null && keep != null) {
            w = w.mul(keep.toType(type, false));
        } else if (w == null) {
            w = keep == null ? null : keep.toType(type, false);
        }
        NDArray loss = w == null ? picked.neg() : picked.neg().mul(w);
        switch (reduction) {
            case NONE:
                return loss;
            case SUM:
                return loss.sum();
            default:
                if (w == null) {
                    return loss.mean();
                }
                return loss.sum().div(w.sum());
        }
    }
}
