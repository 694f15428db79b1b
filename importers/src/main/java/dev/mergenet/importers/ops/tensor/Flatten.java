package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Flatten: a 2-D view [prod(dims before axis), prod(dims from axis)]; axis in [-rank, rank]. */
@OnnxOp(
        type = "Flatten",
        since = {1, 9, 11, 13, 21})
public final class Flatten implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().getInt("axis", 1);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] dims = x.getShape().getShape();
            int rank = dims.length;
            if (axis < -rank || axis > rank) {
                throw new MergeNetException(node.describe() + ": axis " + axis + " is out of range for rank " + rank);
            }
            int a = (int) (axis < 0 ? axis + rank : axis);
            return new NDList(x.reshape(Axes.product(dims, 0, a), Axes.product(dims, a, rank)));
        };
    }
}
