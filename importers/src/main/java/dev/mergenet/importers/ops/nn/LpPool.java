package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** LpPool: (sum over the window of |x|^p)^(1/p), zero padding; p is a float in version 1, an int since 2. */
@OnnxOp(
        type = "LpPool",
        since = {1, 2, 11, 18, 22})
public final class LpPool implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        WindowAttributes attrs = new WindowAttributes(node);
        long[] kernel = attrs.kernelAttribute();
        if (kernel == null) {
            throw new OnnxFormatException(node.describe() + ": required attribute 'kernel_shape' is missing");
        }
        double p = pAttribute(node);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int n = attrs.spatialRank(x.getShape());
            WindowAttributes.Window win = attrs.resolve(SpatialPadding.spatial(x.getShape(), n), kernel);
            attrs.checkPoolCost(x.getShape(), x.getDataType(), win, true);
            SlidingWindows windows = new SlidingWindows(win);
            NDArray padded = power(windows.pad(x, 0), p);
            NDArray sum = null;
            for (int j = 0; j < windows.count(); j++) {
                NDArray s = windows.slice(padded, j);
                sum = sum == null ? s : sum.add(s);
            }
            return new NDList(root(sum, p));
        };
    }

    static double pAttribute(OnnxNode node) {
        if (node.sinceVersion() < 2) {
            return node.attrs().getFloat("p", 2f);
        }
        return node.attrs().getInt("p", 2);
    }

    /** |x|^p, written as x*x for p = 2 so the gradient at 0 stays finite. */
    static NDArray power(NDArray x, double p) {
        return p == 2 ? x.mul(x) : ScalarMath.pow(x.abs(), p);
    }

    static NDArray root(NDArray sum, double p) {
        return p == 2 ? sum.sqrt() : p == 1 ? sum : ScalarMath.pow(sum, 1 / p);
    }
}
