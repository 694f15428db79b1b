package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * OneHot: a new axis of length depth holding values[1] where it equals the index (negative indices count
 * from depth) and values[0] elsewhere; indices out of range give an all-off row.
 */
@OnnxOp(
        type = "OneHot",
        since = {9, 11})
public final class OneHot implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().getInt("axis", -1);
        return (ctx, in) -> {
            NDArray indices = in.get(0);
            long depth = (long) in.scalarDouble(1);
            NDArray values = in.get(2);
            long[] out = new long[indices.getShape().dimension() + 1];
            System.arraycopy(indices.getShape().getShape(), 0, out, 1, out.length - 1);
            out[0] = Math.max(depth, 1);
            MemoryBudget.check(
                    node.describe() + ": output for depth input '"
                            + node.inputs().get(1) + "' = " + depth,
                    out,
                    values.getDataType());
            if (depth < 1 || values.getShape().size() != 2) {
                throw new MergeNetException(node.describe() + ": depth " + depth + " and values " + values.getShape()
                        + " must be positive and hold [off, on]");
            }
            int rank = indices.getShape().dimension() + 1;
            int a = Axes.normalize(axis, rank, node, "axis");
            NDArray idx = indices.getDataType().isFloating() ? indices.toType(DataType.INT64, false) : indices;
            idx = AlongAxis.wrapNegative(idx, depth).expandDims(a);
            NDArray classes = ctx.manager().arange(0, depth, 1, DataType.INT64).reshape(Axes.along(rank, a, depth));
            NDArray flat = values.reshape(2);
            NDArray off = flat.get(0);
            NDArray on = flat.get(1);
            NDArray mask = idx.eq(classes);
            NDArray shaped = on.broadcast(mask.getShape());
            return new NDList(NDArrays.where(mask, shaped, off.broadcast(mask.getShape())));
        };
    }
}
