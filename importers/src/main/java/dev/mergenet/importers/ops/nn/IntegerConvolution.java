package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The exact accumulator of a quantized convolution: (x - x_zero_point) conv (w - w_zero_point), computed in
 * float64, which holds every int32 sum of 8-bit products exactly. Padding contributes zero, as in ONNX.
 */
final class IntegerConvolution {
    private IntegerConvolution() {}

    static NDArray accumulate(WindowAttributes attrs, NDArray x, NDArray xZero, NDArray w, NDArray wZero, int group) {
        NDArray xd = x.toType(DataType.FLOAT64, false);
        if (xZero != null) {
            xd = xd.sub(xZero.toType(DataType.FLOAT64, false));
        }
        NDArray wd = w.toType(DataType.FLOAT64, false);
        if (wZero != null) {
            NDArray z = wZero.toType(DataType.FLOAT64, false);
            if (z.size() > 1) {
                long[] view = new long[w.getShape().dimension()];
                Arrays.fill(view, 1);
                view[0] = z.size();
                z = z.reshape(new Shape(view));
            }
            wd = wd.sub(z);
        }
        return Conv.convolve(attrs, xd, wd, null, group);
    }
}
