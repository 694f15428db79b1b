package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/** Compress: the slices along 'axis' (or elements of the flattened input) whose condition entry is true. */
@OnnxOp(
        type = "Compress",
        since = {9, 11})
public final class Compress implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        Long axis = node.attrs().has("axis") ? node.attrs().getInt("axis", 0) : null;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray source = axis == null ? x.reshape(-1) : x;
            int a = axis == null ? 0 : Axes.normalize(axis, x.getShape().dimension(), node, "axis");
            long dim = source.getShape().get(a);
            boolean[] condition = in.get(1).toType(DataType.BOOLEAN, false).toBooleanArray();
            long[] picked = new long[condition.length];
            int n = 0;
            for (int i = 0; i < condition.length; i++) {
                if (condition[i]) {
                    if (i >= dim) {
                        throw new MergeNetException(
                                node.describe() + ": condition selects index " + i + " beyond size " + dim);
                    }
                    picked[n++] = i;
                }
            }
            return new NDList(AlongAxis.take(source, Arrays.copyOf(picked, n), a, ctx.manager()));
        };
    }
}
