package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * NegativeLogLikelihoodLoss: picks -input[n, target[n, ...], ...], weighted per class, with ignore_index and
 * reduction none/sum/mean (mean divides by the total weight of the targets that are not ignored).
 */
@OnnxOp(type = "NegativeLogLikelihoodLoss", since = {12, 13, 22})
public final class NegativeLogLikelihoodLoss implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        Reduction reduction = Reduction.of(node);
        Long ignore = node.attrs().has("ignore_index") ? node.attrs().getInt("ignore_index", 0) : null;
        return (ctx, in) -> new NDList(loss(node, in.get(0), in.get(1), in.optional(2), ignore, reduction));
    }

    /** How the per-element losses are combined. */
    enum Reduction {
        NONE, SUM, MEAN;

        static Reduction of(OnnxNode node) {
            String r = node.attrs().getString("reduction", "mean");
            switch (r) {
                case "none": return NONE;
                case "sum": return SUM;
                case "mean": return MEAN;
                default: throw new MergeNetException(node.describe() + ": unknown reduction '" + r + "'");
            }
        }
    }

    /** The loss of log-probabilities {@code input} (N, C, d...) against class indices {@code target} (N, d...). */
    static NDArray loss(OnnxNode node, NDArray input, NDArray target, NDArray weight, Long ignore, Reduction reduction) {
        if (input.getShape().dimension() != target.getShape().dimension() + 1) {
            throw new MergeNetException(node.describe() + ": input " + input.getShape() + " and target "
                    + target.getShape() + " do not fit (N, C, d...) and (N, d...)");
        }
        DataType type = input.getDataType();
        NDArray t = target.toType(DataType.INT64, false);
        NDArray keep = ignore == null ? null : t.neq(ignore);
        NDArray safe = keep == null ? t : t.mul(keep.toType(DataType.INT64, false));
        NDArray picked = input.gather(safe.expandDims(1), 1).squeeze(1);
        NDArray w;
        if (weight != null) {
            w = weight.gather(safe.flatten(), 0).reshape(t.getShape());
            if (keep != null) {
                w = w.mul(keep.toType(type, false));
            }
        } else {
            w = keep == null ? null : keep.toType(type, false);
        }
        NDArray loss = w == null ? picked.neg() : picked.neg().mul(w);
        switch (reduction) {
            case NONE: return loss;
            case SUM: return loss.sum();
            default:
                if (w == null) {
                    return loss.mean();
                }
                return loss.sum().div(w.sum());
        }
    }
}
