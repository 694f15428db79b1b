package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * MaxPool with pads, auto_pad, ceil_mode, dilations and the optional Indices output (flat indices into the
 * input, row-major or, with storage_order 1, column-major over the spatial axes).
 */
@OnnxOp(
        type = "MaxPool",
        since = {1, 8, 10, 11, 12, 22})
public final class MaxPool implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        WindowAttributes attrs = new WindowAttributes(node);
        long[] kernel = attrs.kernelAttribute();
        if (kernel == null) {
            throw new OnnxFormatException(node.describe() + ": required attribute 'kernel_shape' is missing");
        }
        boolean columnMajor = node.attrs().getInt("storage_order", 0) == 1;
        boolean wantIndices =
                node.outputs().size() > 1 && !node.outputs().get(1).isEmpty();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            DataType type = x.getDataType();
            // Integer inputs pool in float64 (exact for 8/16/32-bit values); -inf pads must not be reachable.
            NDArray xf = type.isFloating() ? x : x.toType(DataType.FLOAT64, false);
            int n = attrs.spatialRank(x.getShape());
            WindowAttributes.Window win = attrs.resolve(SpatialPadding.spatial(x.getShape(), n), kernel);
            NativePooling.Plan plan = wantIndices || !type.isFloating() ? null : NativePooling.plan(win);
            attrs.checkPoolCost(x.getShape(), xf.getDataType(), win, plan == null);
            if (plan != null) {
                return new NDList(
                        x.getNDArrayInternal().maxPool(plan.kernel(), plan.strides(), plan.pads(), plan.ceilMode()));
            }
            SlidingWindows windows = new SlidingWindows(win);
            NDArray padded = windows.pad(xf, Double.NEGATIVE_INFINITY);
            NDArray y = null;
            NDList slices = new NDList();
            for (int j = 0; j < windows.count(); j++) {
                NDArray s = windows.slice(padded, j);
                y = y == null ? s : y.maximum(s);
                if (wantIndices) {
                    slices.add(s);
                }
            }
            NDArray out = type.isFloating() ? y : y.toType(type, false);
            if (!wantIndices) {
                return new NDList(out);
            }
            NDArray which = NDArrays.stack(slices, -1).argMax(-1);
            return new NDList(out, indices(ctx.manager(), which, win, windows, x.getShape(), columnMajor));
        };
    }

    /** Flat input indices of the chosen window elements. */
    private static NDArray indices(
            NDManager m,
            NDArray which,
            WindowAttributes.Window win,
            SlidingWindows windows,
            Shape inShape,
            boolean columnMajor) {
        int n = win.rank();
        long[] in = win.in();
        long spatialSize = 1;
        for (long v : in) {
            spatialSize *= v;
        }
        long[] stride = new long[n];
        long acc = 1;
        for (int k = 0; k < n; k++) {
            int i = columnMajor ? k : n - 1 - k;
            stride[i] = acc;
            acc *= in[i];
        }
        NDArray index = ScalarMath.mul(m.arange(0, inShape.get(0) * inShape.get(1), 1, DataType.INT64), spatialSize)
                .reshape(broadcastShape(inShape.get(0), inShape.get(1), n));
        for (int i = 0; i < n; i++) {
            long[] table = new long[windows.count()];
            for (int j = 0; j < table.length; j++) {
                table[j] = windows.offset(j)[i] * win.dilations()[i];
            }
            NDArray offset = m.create(table).take(m, which);
            long[] view = new long[n + 2];
            Arrays.fill(view, 1);
            view[2 + i] = win.out()[i];
            NDArray start = ScalarMath.mul(m.arange(0, win.out()[i], 1, DataType.INT64), win.strides()[i])
                    .sub(win.padBegin()[i])
                    .reshape(new Shape(view));
            index = index.add(ScalarMath.mul(start.add(offset), stride[i]));
        }
        return index;
    }

    private static Shape broadcastShape(long batch, long channels, int spatial) {
        long[] dims = new long[spatial + 2];
        dims[0] = batch;
        dims[1] = channels;
        for (int i = 0; i < spatial; i++) {
            dims[2 + i] = 1;
        }
        return new Shape(dims);
    }
}
