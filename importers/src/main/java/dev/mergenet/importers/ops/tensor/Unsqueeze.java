package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Unsqueeze: inserts size-1 axes at the listed output positions (attribute before opset 13, input after). */
@OnnxOp(
        type = "Unsqueeze",
        since = {1, 11, 13, 21})
public final class Unsqueeze implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean axesInput = node.sinceVersion() >= 13;
        long[] attrAxes = axesInput ? null : node.attrs().getInts("axes", null);
        if (!axesInput && attrAxes == null) {
            throw new MergeNetException(node.describe() + ": the 'axes' attribute is missing");
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] axes = axesInput ? in.longs(1) : attrAxes;
            long[] dims = x.getShape().getShape();
            int rank = dims.length + axes.length;
            boolean[] inserted = new boolean[rank];
            for (int a : Axes.normalizeAll(axes, rank, node, "axis")) {
                inserted[a] = true;
            }
            long[] out = new long[rank];
            int k = 0;
            for (int i = 0; i < rank; i++) {
                out[i] = inserted[i] ? 1 : dims[k++];
            }
            return new NDList(x.reshape(new Shape(out)));
        };
    }
}
