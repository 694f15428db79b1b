package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * QLinearConv: y = saturate(round((acc + B) * x_scale * w_scale / y_scale) + y_zero_point), rounding half to
 * even, where acc is the exact integer convolution; w_scale may be per output channel.
 */
@OnnxOp(type = "QLinearConv", since = 10)
public final class QLinearConv implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        WindowAttributes attrs = new WindowAttributes(node);
        int group = (int) node.attrs().getInt("group", 1);
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray acc = IntegerConvolution.accumulate(attrs, in.get(0), in.get(2), in.get(3), in.get(5), group);
            int rank = acc.getShape().dimension();
            long[] view = new long[rank];
            Arrays.fill(view, 1);
            view[1] = acc.getShape().get(1);
            if (in.has(8)) {
                acc = acc.add(in.get(8).toType(DataType.FLOAT64, false).reshape(new Shape(view)));
            }
            NDArray wScale = in.get(4).toType(DataType.FLOAT32, false);
            if (wScale.size() > 1) {
                wScale = wScale.reshape(new Shape(view));
            }
            // The multiplier is formed in float32, as ONNX Runtime does, before scaling the exact accumulator.
            NDArray multiplier = in.get(1)
                    .toType(DataType.FLOAT32, false)
                    .mul(wScale)
                    .div(in.get(6).toType(DataType.FLOAT32, false))
                    .toType(DataType.FLOAT64, false);
            NDArray yZero = in.get(7);
            DataType outType = yZero.getDataType();
            double lo;
            double hi;
            if (outType == DataType.UINT8) {
                lo = 0;
                hi = 255;
            } else if (outType == DataType.INT8) {
                lo = -128;
                hi = 127;
            } else {
                throw new OnnxFormatException(owner + ": y_zero_point must be uint8 or int8, got " + outType);
            }
            NDArray y = acc.mul(multiplier)
                    .round()
                    .add(yZero.toType(DataType.FLOAT64, false))
                    .clip(lo, hi);
            return new NDList(y.toType(outType, false));
        };
    }
}
