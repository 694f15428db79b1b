package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Expand: broadcasts the input against the given shape (both ways, so a 1 in the shape keeps the input's dim). */
@OnnxOp(
        type = "Expand",
        since = {8, 13})
public final class Expand implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] target = Axes.broadcast(x.getShape().getShape(), in.longs(1), node);
            OpCost.of(() -> node.describe() + ": output for shape input '"
                            + node.inputs().get(1) + "', input " + x.getShape())
                    .tensor("output", target, x.getDataType())
                    .work(target, 1);
            Shape shape = new Shape(target);
            if (shape.equals(x.getShape())) {
                return new NDList(x.reshape(shape));
            }
            // a broadcast view (no copy); torch ops and host reads handle its zero strides
            return new NDList(x.broadcast(shape));
        };
    }
}
