package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** ConcatFromSequence: concatenates the tensors along axis, or stacks them on a new axis (new_axis=1). */
@OnnxOp(type = "ConcatFromSequence", since = 11)
public final class ConcatFromSequence implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().requireInt("axis");
        boolean newAxis = node.attrs().getInt("new_axis", 0) == 1;
        return (ctx, in) -> {
            TensorSequence s = Sequences.of(in.get(0), ctx);
            if (s.length() == 0) {
                throw new MergeNetException(ctx.node().describe() + ": cannot concatenate an empty sequence");
            }
            int rank = s.items().get(0).getShape().dimension() + (newAxis ? 1 : 0);
            if (axis < -rank || axis >= rank) {
                throw new OnnxFormatException(ctx.node().describe() + ": axis " + axis + " is out of range for "
                        + (newAxis ? "stacking" : "concatenating") + " items of shape "
                        + s.items().get(0).getShape());
            }
            int a = (int) (axis < 0 ? axis + rank : axis);
            NDList parts = new NDList(s.items());
            long total = 0;
            for (NDArray item : parts) {
                total = ShapeMath.add(total, item.getShape().size(), ctx.node().describe());
            }
            long[] joined = {total};
            OpCost.of(() -> ctx.node().describe() + ": " + parts.size() + " items of shape "
                            + parts.get(0).getShape() + " and others")
                    .tensor("output", joined, parts.get(0).getDataType())
                    .work(joined, 1, parts.size());
            NDArray out = newAxis ? NDArrays(parts, a, true) : NDArrays(parts, a, false);
            return new NDList(out);
        };
    }

    private static NDArray NDArrays(NDList parts, int axis, boolean stack) {
        return stack ? NDArrays.stack(parts, axis) : NDArrays.concat(parts, axis);
    }
}
