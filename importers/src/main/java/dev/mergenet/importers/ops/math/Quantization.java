package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;

/**
 * Linear (de)quantization: QuantizeLinear, DequantizeLinear (per tensor or per axis), DynamicQuantizeLinear
 * and the integer matrix products MatMulInteger and QLinearMatMul. Rounding is half to even, as ONNX wants.
 */
public final class Quantization implements OpConverter {
    /** Which op. */
    public enum Kind { QUANTIZE, DEQUANTIZE, DYNAMIC_QUANTIZE, MATMUL_INTEGER, QLINEAR_MATMUL }

    private final Kind kind;

    public Quantization(Kind kind) {
        this.kind = kind;
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        long axisAttr = node.attrs().getInt("axis", 1);
        switch (kind) {
            case QUANTIZE:
                return (ctx, in) -> {
                    NDArray x = in.get(0);
                    DataType out = in.has(2) ? in.get(2).getDataType() : DataType.UINT8;
                    NDArray scale = perAxis(node, in.get(1), x, axisAttr);
                    NDArray zp = in.has(2) ? perAxis(node, in.get(2), x, axisAttr) : null;
                    return new NDList(quantize(x, scale, zp, out));
                };
            case DEQUANTIZE:
                return (ctx, in) -> {
                    NDArray x = in.get(0);
                    NDArray scale = perAxis(node, in.get(1), x, axisAttr);
                    NDArray v = x.toType(DataType.FLOAT32, false);
                    if (in.has(2)) {
                        v = v.sub(perAxis(node, in.get(2), x, axisAttr).toType(DataType.FLOAT32, false));
                    }
                    return new NDList(v.mul(Numeric.as(scale, DataType.FLOAT32)).toType(scale.getDataType(), false));
                };
            case DYNAMIC_QUANTIZE:
                return (ctx, in) -> {
                    NDArray x = in.get(0);
                    NDArray zero = Numeric.scalar(ctx.manager(), 0, x.getDataType());
                    NDArray min = x.min().minimum(zero);
                    NDArray max = x.max().maximum(zero);
                    NDArray scale = max.sub(min).div(Numeric.scalar(ctx.manager(), 255, x.getDataType()));
                    NDArray zp = saturate(zero.sub(min.div(scale)).round(), DataType.UINT8);
                    NDArray y = quantize(x, scale, zp, DataType.UINT8);
                    return new NDList(y, scale, zp);
                };
            case MATMUL_INTEGER:
                return (ctx, in) -> {
                    NDArray a = in.get(0).toType(DataType.INT64, false);
                    NDArray b = in.get(1).toType(DataType.INT64, false);
                    if (in.has(2)) {
                        a = a.sub(rowZeroPoint(in.get(2), a));
                    }
                    if (in.has(3)) {
                        b = b.sub(in.get(3).toType(DataType.INT64, false));
                    }
                    return new NDList(a.matMul(b).toType(DataType.INT32, false));
                };
            default:
                return (ctx, in) -> {
                    NDArray a = in.get(0).toType(DataType.INT64, false).sub(rowZeroPoint(in.get(2), in.get(0)));
                    NDArray b = in.get(3).toType(DataType.INT64, false).sub(in.get(5).toType(DataType.INT64, false));
                    NDArray aScale = in.get(1).toType(DataType.FLOAT64, false);
                    NDArray aRows = aScale.size() > 1 ? aScale.reshape(-1, 1) : aScale;
                    NDArray product = a.matMul(b).toType(DataType.FLOAT64, false);
                    NDArray scaled = product.mul(aRows).mul(in.get(4).toType(DataType.FLOAT64, false))
                            .div(in.get(6).toType(DataType.FLOAT64, false));
                    DataType out = in.get(7).getDataType();
                    NDArray y = scaled.round().add(in.get(7).toType(DataType.FLOAT64, false));
                    return new NDList(saturate(y, out));
                };
        }
    }

    /** A 1-D per-channel parameter reshaped to broadcast along {@code axis} of x; scalars stay as they are. */
    private static NDArray perAxis(OnnxNode node, NDArray p, NDArray x, long axisAttr) {
        if (p.getShape().dimension() == 0 || p.size() == 1) {
            return p.reshape(new Shape());
        }
        int axis = Numeric.axis(node, axisAttr, x.getShape().dimension());
        long[] shape = new long[x.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[axis] = p.size();
        return p.reshape(new Shape(shape));
    }

    /** A zero point of A: a scalar, or one per row of A (length M), which broadcasts over A's columns. */
    private static NDArray rowZeroPoint(NDArray zp, NDArray a) {
        NDArray z = zp.toType(DataType.INT64, false);
        return z.size() > 1 ? z.reshape(-1, 1) : z.reshape(new Shape());
    }

    private static NDArray quantize(NDArray x, NDArray scale, NDArray zp, DataType out) {
        NDArray v = x.toType(DataType.FLOAT32, false).div(Numeric.as(scale, DataType.FLOAT32)).round();
        if (zp != null) {
            v = v.add(zp.toType(DataType.FLOAT32, false));
        }
        return saturate(v, out);
    }

    private static NDArray saturate(NDArray v, DataType out) {
        double lo;
        double hi;
        switch (out) {
            case UINT8: lo = 0; hi = 255; break;
            case INT8: lo = -128; hi = 127; break;
            case UINT16: lo = 0; hi = 65535; break;
            case INT16: lo = -32768; hi = 32767; break;
            case INT32: lo = Integer.MIN_VALUE; hi = Integer.MAX_VALUE; break;
            default: throw new MergeNetException("quantization to " + out + " is not supported");
        }
        NDArray c = v.toType(DataType.FLOAT64, false).clip(lo, hi);
        return out == DataType.UINT16 ? c.toType(DataType.INT32, false).toType(out, false) : c.toType(out, false);
    }
}
