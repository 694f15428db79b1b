package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * CenterCropPad (opset 18): each listed axis is cropped to a centred window or zero-padded equally on both
 * sides (the extra element, for an odd difference, after a crop's start and after a pad's end).
 */
@OnnxOp(type = "CenterCropPad", since = 18)
public final class CenterCropPad implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long[] axesAttr = node.attrs().getInts("axes", null);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] dims = x.getShape().getShape();
            int rank = dims.length;
            long[] shape = in.longs(1);
            int[] axes = axesAttr == null ? null : Axes.normalizeAll(axesAttr, rank, node, "axis");
            int n = axes == null ? rank : axes.length;
            if (shape.length != n) {
                throw new MergeNetException(
                        node.describe() + ": shape " + Arrays.toString(shape) + " needs " + n + " entries");
            }
            MemoryBudget.check(
                    node.describe() + ": output for shape input '"
                            + node.inputs().get(1) + "'",
                    shape,
                    x.getDataType());
            long[] pads = new long[2 * rank];
            for (int i = 0; i < n; i++) {
                int a = axes == null ? i : axes[i];
                long d = dims[a];
                long t = shape[i];
                if (t < 0) {
                    throw new MergeNetException(node.describe() + ": negative target size " + t);
                }
                if (t < d) {
                    long start = (d - t) / 2;
                    pads[a] = -start;
                    pads[rank + a] = -(d - t - start);
                } else {
                    long before = (t - d) / 2;
                    pads[a] = before;
                    pads[rank + a] = t - d - before;
                }
            }
            return new NDList(Pad.constantPad(x, pads, 0));
        };
    }
}
