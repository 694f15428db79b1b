package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** CumSum along the axis given as input 1, optionally exclusive (shifted by one) and/or reversed. */
@OnnxOp(
        type = "CumSum",
        since = {11, 14})
public final class CumSum implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean exclusive = node.attrs().getInt("exclusive", 0) != 0;
        boolean reverse = node.attrs().getInt("reverse", 0) != 0;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            DataType type = x.getDataType();
            int axis = Numeric.axis(node, in.scalarLong(1), x.getShape().dimension());
            NDArray v = x;
            if (reverse) {
                v = v.flip(axis);
            }
            NDArray y = v.cumSum(axis);
            if (exclusive) {
                y = y.sub(Numeric.as(v, y.getDataType()));
            }
            if (reverse) {
                y = y.flip(axis);
            }
            return new NDList(Numeric.as(y, type));
        };
    }
}
