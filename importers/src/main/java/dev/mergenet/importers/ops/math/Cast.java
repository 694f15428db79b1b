package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.TensorProto;

/** Cast (to the type in attribute 'to') and CastLike (to the type of input 1). */
@OnnxOp(
        type = "Cast",
        since = {1, 6, 9, 13, 19, 21})
@OnnxOp(
        type = "CastLike",
        since = {15, 19, 21})
public final class Cast implements OpConverter {
    private final boolean like;

    /** The converter for {@code opType}: CastLike or Cast. */
    public Cast(String opType) {
        if (!opType.equals("CastLike") && !opType.equals("Cast")) {
            throw new IllegalArgumentException("Cast does not implement " + opType);
        }
        this.like = opType.equals("CastLike");
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        if (like) {
            return (ctx, in) -> new NDList(convert(in.get(0), in.get(1).getDataType()));
        }
        int to = targetType(node);
        DataType target = OnnxDataTypes.toDjl(to);
        if (target == null) {
            throw new MergeNetException(node.describe() + ": cannot cast to " + OnnxDataTypes.name(to)
                    + " (the engine has no such tensor type)");
        }
        return (ctx, in) -> new NDList(narrow(convert(in.get(0), target), to));
    }

    /**
     * Gives a value held in a wider engine type (see OnnxDataTypes.toDjl) the values of its ONNX type:
     * bfloat16 (held as float32) is rounded to 8 significant bits, half to even; int16, uint16 and uint32
     * (held as int32/int64) wrap modulo their range as a C cast does.
     */
    static NDArray narrow(NDArray x, int onnxType) {
        switch (onnxType) {
            case TensorProto.DataType.BFLOAT16_VALUE:
                return roundToBfloat16(x);
            case TensorProto.DataType.INT16_VALUE:
                return wrap(x, 1L << 16, true);
            case TensorProto.DataType.UINT16_VALUE:
                return wrap(x, 1L << 16, false);
            case TensorProto.DataType.UINT32_VALUE:
                return wrap(x, 1L << 32, false);
            default:
                return x;
        }
    }

    private static NDArray wrap(NDArray x, long modulus, boolean signed) {
        NDArray m = Numeric.scalar(x.getManager(), modulus, x.getDataType());
        if (!signed) {
            return x.mod(m);
        }
        NDArray half = Numeric.scalar(x.getManager(), modulus / 2, x.getDataType());
        return x.add(half).mod(m).sub(half);
    }

    /**
     * Rounds float32 values to bfloat16 precision with the gradient passed straight through (as a real cast
     * does): the spacing at |x| is 2^(floor(log2 |x|) - 7), at least bfloat16's subnormal spacing 2^-133.
     */
    private static NDArray roundToBfloat16(NDArray x) {
        NDArray v = x.toType(DataType.FLOAT64, false).stopGradient();
        NDArray a = v.abs();
        NDArray e = a.log2().floor();
        NDArray two = Numeric.scalar(x.getManager(), 2, DataType.FLOAT64);
        // log2 may land one off at exact powers of two: correct the exponent so 2^e <= |x| < 2^(e+1)
        e = e.sub(two.pow(e).gt(a).toType(DataType.FLOAT64, false));
        e = e.add(two.pow(e.add(1)).lte(a).toType(DataType.FLOAT64, false));
        NDArray spacing =
                two.pow(e.sub(7)).maximum(Numeric.scalar(x.getManager(), Math.pow(2, -133), DataType.FLOAT64));
        NDArray rounded = v.div(spacing).round().mul(spacing);
        NDArray keep = a.eq(0).logicalOr(v.isInfinite()).logicalOr(v.isNaN());
        NDArray result = v.getNDArrayInternal().where(keep, rounded).toType(x.getDataType(), false);
        // adding (x - x) with only one side detached carries the gradient; infinities would make it NaN
        NDArray carried = result.sub(x.stopGradient().sub(x));
        NDArray finite = x.isInfinite().logicalOr(x.isNaN()).logicalNot();
        return carried.getNDArrayInternal().where(finite, x);
    }

    /** The 'to' attribute: an int from opset 6, a type name ("FLOAT") in Cast-1. */
    private static int targetType(OnnxNode node) {
        AttributeProto to = node.attrs().require("to");
        if (to.getType() != AttributeProto.AttributeType.STRING) {
            return (int) to.getI();
        }
        String name = to.getS().toStringUtf8();
        try {
            return TensorProto.DataType.valueOf(name).getNumber();
        } catch (IllegalArgumentException e) {
            throw new MergeNetException(node.describe() + ": unknown type name '" + name + "' in attribute 'to'");
        }
    }

    private static NDArray convert(NDArray x, DataType target) {
        if (x.getDataType() == target) {
            return x.reshape(x.getShape());
        }
        return x.toType(target, false);
    }
}
