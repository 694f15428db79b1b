package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** LRN: x / (bias + alpha / size * sum of x^2 over a window of neighbouring channels)^beta. */
@OnnxOp(
        type = "LRN",
        since = {1, 13})
public final class Lrn implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        float alpha = node.attrs().getFloat("alpha", 1e-4f);
        float beta = node.attrs().getFloat("beta", 0.75f);
        float bias = node.attrs().getFloat("bias", 1f);
        long sizeAttr = node.attrs().requireInt("size");
        if (sizeAttr < 1 || sizeAttr > Integer.MAX_VALUE) {
            throw new OnnxFormatException(node.describe() + ": size " + sizeAttr + " must be a positive channel count");
        }
        int size = (int) sizeAttr;
        long before = (size - 1) / 2;
        long after = size - 1 - before;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            if (rank < 2) {
                throw new OnnxFormatException(node.describe() + ": input '"
                        + node.inputs().get(0) + "' " + x.getShape() + " has no channel axis (expected N, C, ...)");
            }
            long channels = x.getShape().get(1);
            long[] padded = x.getShape().getShape().clone();
            padded[1] = ShapeMath.add(channels, size - 1, node.describe() + ": size");
            MemoryBudget.check(
                    node.describe() + ": input '" + node.inputs().get(0) + "' padded by size " + size,
                    padded,
                    x.getDataType());
            long[] widths = new long[2 * (rank - 1)];
            // Pad widths run from the last axis backwards; the channel axis is the last pair here.
            widths[2 * (rank - 2)] = before;
            widths[2 * (rank - 2) + 1] = after;
            NDArray squares = x.mul(x).pad(new Shape(widths), 0);
            NDArray sum = null;
            for (int j = 0; j < size; j++) {
                NDArray s = squares.get(new NDIndex(":, {}:{}", j, j + channels));
                sum = sum == null ? s : sum.add(s);
            }
            return new NDList(
                    x.div(ScalarMath.pow(ScalarMath.mul(sum, alpha / size).add(bias), beta)));
        };
    }
}
