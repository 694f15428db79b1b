package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** GatherElements: out[i][j][k] = data[index][j][k] (for axis 0), i.e. torch.gather with negative indices wrapped. */
@OnnxOp(
        type = "GatherElements",
        since = {11, 13})
public final class GatherElements implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().getInt("axis", 0);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray indices = in.get(1);
            int rank = x.getShape().dimension();
            if (indices.getShape().dimension() != rank) {
                throw new MergeNetException(node.describe() + ": indices " + indices.getShape()
                        + " must have the rank of data " + x.getShape());
            }
            int a = Axes.normalize(axis, rank, node, "axis");
            return new NDList(
                    x.gather(AlongAxis.wrapNegative(indices, x.getShape().get(a)), a));
        };
    }
}
