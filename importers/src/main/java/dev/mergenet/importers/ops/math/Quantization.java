package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * Linear (de)quantization: QuantizeLinear, DequantizeLinear (per tensor or per axis), DynamicQuantizeLinear
 * and the integer matrix products MatMulInteger and QLinearMatMul. Rounding is half to even, as ONNX wants.
 */
@OnnxOp(type = "MatMulInteger", since = 10)
// 19 and 21 add float8/int4 types and blocked scales: the int8/uint8 per-tensor and per-axis forms remain
@OnnxOp(
        type = "QuantizeLinear",
        since = {10, 13, 19, 21})
@OnnxOp(
        type = "DequantizeLinear",
        since = {10, 13, 19, 21})
@OnnxOp(type = "DynamicQuantizeLinear", since = 11)
@OnnxOp(
        type = "QLinearMatMul",
        since = {10, 21})
public final class Quantization implements OpConverter {
    /** Which op. */
    public enum Kind {
        QUANTIZE,
        DEQUANTIZE,
        DYNAMIC_QUANTIZE,
        MATMUL_INTEGER,
        QLINEAR_MATMUL
    }

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public Quantization(String opType) {
        this.kind = switch (opType) {
            case "MatMulInteger" -> Kind.MATMUL_INTEGER;
            case "QuantizeLinear" -> Kind.QUANTIZE;
            case "DequantizeLinear" -> Kind.DEQUANTIZE;
            case "DynamicQuantizeLinear" -> Kind.DYNAMIC_QUANTIZE;
            case "QLinearMatMul" -> Kind.QLINEAR_MATMUL;
            default -> throw new IllegalArgumentException("Quantization does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        long axisAttr = node.attrs().getInt("axis", 1);
        if (node.attrs().getInt("block_size", 0) != 0) {
            throw new MergeNetException(node.describe() + ": blocked quantization (block_size) is not supported");
        }
        DataType defaultOut = outputType(node);
        switch (kind) {
            case QUANTIZE:
                return (ctx, in) -> {
                    NDArray x = in.get(0);
                    DataType out = in.has(2) ? in.get(2).getDataType() : defaultOut;
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
                    NDArray a = centered(in.get(0), in.optional(2), true);
                    NDArray b = centered(in.get(1), in.optional(3), false);
                    return new NDList(a.matMul(b).toType(DataType.INT32, false));
                };
            default:
                return (ctx, in) -> {
                    NDArray a = centered(in.get(0), in.get(2), true);
                    NDArray b = centered(in.get(3), in.get(5), false);
                    NDArray aScale = in.get(1).toType(DataType.FLOAT64, false);
                    NDArray aRows = aScale.size() > 1 ? aScale.reshape(-1, 1) : aScale;
                    NDArray product = a.matMul(b);
                    NDArray scaled = product.mul(aRows)
                            .mul(in.get(4).toType(DataType.FLOAT64, false))
                            .div(in.get(6).toType(DataType.FLOAT64, false));
                    DataType out = in.get(7).getDataType();
                    NDArray y = scaled.round().add(in.get(7).toType(DataType.FLOAT64, false));
                    return new NDList(saturate(y, out));
                };
        }
    }

    /** QuantizeLinear-21's output_dtype (used when no zero point gives the type), else uint8. */
    private static DataType outputType(OnnxNode node) {
        int dt = (int) node.attrs().getInt("output_dtype", 0);
        if (dt == 0) {
            return DataType.UINT8;
        }
        DataType t = OnnxDataTypes.toDjl(dt);
        if (t != DataType.UINT8 && t != DataType.INT8 && t != DataType.INT32) {
            throw new MergeNetException(
                    node.describe() + ": output_dtype " + OnnxDataTypes.name(dt) + " is not supported");
        }
        return t;
    }

    /** A 1-D per-channel parameter reshaped to broadcast along {@code axis} of x; scalars stay as they are. */
    private static NDArray perAxis(OnnxNode node, NDArray p, NDArray x, long axisAttr) {
        if (p.getShape().dimension() == 0 || p.size() == 1) {
            return p.reshape(new Shape());
        }
        int axis = Numeric.axis(node, axisAttr, x.getShape().dimension());
        if (p.getShape().dimension() != 1 || p.size() != x.getShape().get(axis)) {
            throw new OnnxFormatException(node.describe() + ": a per-axis parameter " + p.getShape() + " must hold one"
                    + " value per entry of axis " + axis + " of the input " + x.getShape());
        }
        long[] shape = new long[x.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[axis] = p.size();
        return p.reshape(new Shape(shape));
    }

    /**
     * {@code q - zeroPoint} in float64, exact for 8-bit operands, so the integer product runs as a float64
     * matmul (which every device has, unlike integer matmul). A's zero point is a scalar or one per row.
     */
    private static NDArray centered(NDArray q, NDArray zeroPoint, boolean perRow) {
        NDArray v = q.toType(DataType.FLOAT64, false);
        if (zeroPoint == null) {
            return v;
        }
        NDArray z = zeroPoint.toType(DataType.FLOAT64, false);
        z = z.size() > 1 && perRow ? z.reshape(-1, 1) : z.size() == 1 ? z.reshape(new Shape()) : z;
        return v.sub(z);
    }

    private static NDArray quantize(NDArray x, NDArray scale, NDArray zp, DataType out) {
        NDArray v = x.toType(DataType.FLOAT32, false)
                .div(Numeric.as(scale, DataType.FLOAT32))
                .round();
        if (zp != null) {
            v = v.add(zp.toType(DataType.FLOAT32, false));
        }
        return saturate(v, out);
    }

    private static NDArray saturate(NDArray v, DataType out) {
        double lo;
        double hi;
        switch (out) {
            case UINT8:
                lo = 0;
                hi = 255;
                break;
            case INT8:
                lo = -128;
                hi = 127;
                break;
            case INT32:
                lo = Integer.MIN_VALUE;
                hi = Integer.MAX_VALUE;
                break;
            default:
                throw new MergeNetException("quantization to " + out + " is not supported");
        }
        NDArray c = v.toType(DataType.FLOAT64, false).clip(lo, hi);
        return c.toType(out, false);
    }
}
