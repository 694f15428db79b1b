package dev.mergenet.importers.ops.reduce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.math.Numeric;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** ArgMax and ArgMin along one axis (int64 indices), keepdims, and select_last_index for ties (opset 12+). */
@OnnxOp(
        type = "ArgMax",
        since = {1, 11, 12, 13})
@OnnxOp(
        type = "ArgMin",
        since = {1, 11, 12, 13})
public final class ArgReduce implements OpConverter {
    private final boolean max;

    /** The converter for {@code opType}: ArgMax or ArgMin. */
    public ArgReduce(String opType) {
        if (!opType.equals("ArgMax") && !opType.equals("ArgMin")) {
            throw new IllegalArgumentException("ArgReduce does not implement " + opType);
        }
        this.max = opType.equals("ArgMax");
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        long axisAttr = node.attrs().getInt("axis", 0);
        boolean keepDims = node.attrs().getInt("keepdims", 1) != 0;
        boolean last = node.attrs().getInt("select_last_index", 0) != 0;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int axis = Numeric.axis(node, axisAttr, x.getShape().dimension());
            long n = x.getShape().get(axis);
            NDArray v = last ? x.flip(axis) : x;
            NDArray idx = max ? v.argMax(axis) : v.argMin(axis);
            if (last) {
                idx = idx.neg().add(n - 1);
            }
            return new NDList(keepDims ? idx.expandDims(axis) : idx);
        };
    }
}
