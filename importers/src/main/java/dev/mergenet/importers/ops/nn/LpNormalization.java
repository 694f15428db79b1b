package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** LpNormalization: x divided by its L1 or L2 norm along {@code axis}; an all-zero slice stays zero. */
@OnnxOp(
        type = "LpNormalization",
        since = {1, 22})
public final class LpNormalization implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axisAttr = node.attrs().getInt("axis", -1);
        long p = node.attrs().getInt("p", 2);
        if (p != 1 && p != 2) {
            throw new OnnxFormatException(node.describe() + ": p must be 1 or 2, got " + p);
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
            NDArray norm = p == 1
                    ? x.abs().sum(new int[] {axis}, true)
                    : x.mul(x).sum(new int[] {axis}, true).sqrt();
            // Adding 1 only where the norm is 0 keeps zero slices at zero without a division by zero.
            NDArray safe = norm.add(norm.eq(0).toType(norm.getDataType(), false));
            return new NDList(x.div(safe));
        };
    }
}
