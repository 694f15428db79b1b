package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.List;

/** Squeeze: removes the listed size-1 axes (attribute before opset 13, input after), or every size-1 axis. */
@OnnxOp(
        type = "Squeeze",
        since = {1, 11, 13, 21})
public final class Squeeze implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean axesInput = node.sinceVersion() >= 13;
        long[] attrAxes = axesInput ? null : node.attrs().getInts("axes", null);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] dims = x.getShape().getShape();
            long[] axes = axesInput ? (in.has(1) ? in.longs(1) : null) : attrAxes;
            boolean[] drop = new boolean[dims.length];
            if (axes == null) {
                for (int i = 0; i < dims.length; i++) {
                    drop[i] = dims[i] == 1;
                }
            } else {
                for (int a : Axes.normalizeAll(axes, dims.length, node, "axis")) {
                    if (dims[a] != 1) {
                        throw new MergeNetException(node.describe() + ": cannot squeeze axis " + a + " of shape "
                                + x.getShape() + " (size " + dims[a] + ")");
                    }
                    drop[a] = true;
                }
            }
            List<Long> kept = new ArrayList<>();
            for (int i = 0; i < dims.length; i++) {
                if (!drop[i]) {
                    kept.add(dims[i]);
                }
            }
            return new NDList(
                    x.reshape(new Shape(kept.stream().mapToLong(Long::longValue).toArray())));
        };
    }
}
