package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * AveragePool with pads, auto_pad, ceil_mode, dilations and count_include_pad: the window sum divided by the
 * number of counted elements (input only, or input plus explicit pads; ceil-mode overhang never counts).
 */
@OnnxOp(
        type = "AveragePool",
        since = {1, 7, 10, 11, 19, 22})
public final class AveragePool implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        WindowAttributes attrs = new WindowAttributes(node);
        long[] kernel = attrs.kernelAttribute();
        if (kernel == null) {
            throw new OnnxFormatException(node.describe() + ": required attribute 'kernel_shape' is missing");
        }
        boolean includePads = node.attrs().getInt("count_include_pad", 0) != 0;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int n = attrs.spatialRank(x.getShape());
            WindowAttributes.Window win = attrs.resolve(SpatialPadding.spatial(x.getShape(), n), kernel);
            NativePooling.Plan plan = x.getDataType().isFloating() ? NativePooling.plan(win) : null;
            if (plan != null && !includePads && Arrays.stream(win.padBegin()).anyMatch(v -> v != 0)) {
                plan = null; // DJL's native average pool always divides by the padded window size
            }
            attrs.checkPoolCost(x.getShape(), x.getDataType(), win, plan == null);
            if (plan != null) {
                return new NDList(x.getNDArrayInternal()
                        .avgPool(plan.kernel(), plan.strides(), plan.pads(), plan.ceilMode(), includePads));
            }
            SlidingWindows windows = new SlidingWindows(win);
            NDArray padded = windows.pad(x, 0);
            NDArray sum = null;
            for (int j = 0; j < windows.count(); j++) {
                NDArray s = windows.slice(padded, j);
                sum = sum == null ? s : sum.add(s);
            }
            NDArray counts = ctx.manager()
                    .create(windows.counts(includePads), new Shape(win.out()))
                    .toType(x.getDataType(), false);
            return new NDList(sum.div(counts));
        };
    }
}
