package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.function.UnaryOperator;

/**
 * Elementwise ops of one input whose output type is the input's (Abs, Exp, Sin, ...); a function that
 * changes the type (sign of uint8, say) is cast back.
 */
@OnnxOp(
        type = "Abs",
        since = {1, 6, 13})
@OnnxOp(
        type = "Neg",
        since = {1, 6, 13})
@OnnxOp(
        type = "Exp",
        since = {1, 6, 13})
@OnnxOp(
        type = "Log",
        since = {1, 6, 13})
@OnnxOp(
        type = "Sqrt",
        since = {1, 6, 13})
@OnnxOp(
        type = "Reciprocal",
        since = {1, 6, 13})
@OnnxOp(
        type = "Floor",
        since = {1, 6, 13})
@OnnxOp(
        type = "Ceil",
        since = {1, 6, 13})
@OnnxOp(
        type = "Round",
        since = {11, 22})
@OnnxOp(
        type = "Sign",
        since = {9, 13})
@OnnxOp(
        type = "Sin",
        since = {7, 22})
@OnnxOp(
        type = "Cos",
        since = {7, 22})
@OnnxOp(
        type = "Tan",
        since = {7, 22})
@OnnxOp(
        type = "Asin",
        since = {7, 22})
@OnnxOp(
        type = "Acos",
        since = {7, 22})
@OnnxOp(
        type = "Atan",
        since = {7, 22})
@OnnxOp(
        type = "Sinh",
        since = {9, 22})
@OnnxOp(
        type = "Cosh",
        since = {9, 22})
@OnnxOp(
        type = "Asinh",
        since = {9, 22})
@OnnxOp(
        type = "Acosh",
        since = {9, 22})
@OnnxOp(
        type = "Atanh",
        since = {9, 22})
@OnnxOp(
        type = "Erf",
        since = {9, 13})
public final class UnaryMath implements OpConverter {
    private final UnaryOperator<NDArray> fn;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public UnaryMath(String opType) {
        this.fn = switch (opType) {
            case "Abs" -> NDArray::abs;
            case "Neg" -> NDArray::neg;
            case "Exp" -> NDArray::exp;
            case "Log" -> NDArray::log;
            case "Sqrt" -> NDArray::sqrt;
            case "Reciprocal" -> UnaryMath::reciprocal;
            case "Floor" -> NDArray::floor;
            case "Ceil" -> NDArray::ceil;
            case "Round" -> NDArray::round;
            case "Sign" -> UnaryMath::sign;
            case "Sin" -> NDArray::sin;
            case "Cos" -> NDArray::cos;
            case "Tan" -> NDArray::tan;
            case "Asin" -> NDArray::asin;
            case "Acos" -> NDArray::acos;
            case "Atan" -> NDArray::atan;
            case "Sinh" -> NDArray::sinh;
            case "Cosh" -> NDArray::cosh;
            case "Asinh" -> UnaryMath::asinh;
            case "Acosh" -> UnaryMath::acosh;
            case "Atanh" -> UnaryMath::atanh;
            case "Erf" -> NDArray::erf;
            default -> throw new IllegalArgumentException("UnaryMath does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray x = in.get(0);
            DataType type = x.getDataType();
            NDArray y = Numeric.as(fn.apply(x), type);
            return new NDList(Numeric.owned(y, x));
        };
    }

    /** 1 / x, made as a division so autograd sees it. */
    public static NDArray reciprocal(NDArray x) {
        return Numeric.scalar(x.getManager(), 1, x.getDataType()).div(x);
    }

    /** asinh(x) = log(x + sqrt(x^2 + 1)); the engine binding lacks asinh. */
    public static NDArray asinh(NDArray x) {
        return x.add(x.square().add(one(x)).sqrt()).log();
    }

    /** acosh(x) = log(x + sqrt(x^2 - 1)). */
    public static NDArray acosh(NDArray x) {
        return x.add(x.square().sub(one(x)).sqrt()).log();
    }

    /** atanh(x) = log((1 + x) / (1 - x)) / 2. */
    public static NDArray atanh(NDArray x) {
        NDArray one = one(x);
        return one.add(x).div(one.sub(x)).log().mul(Numeric.scalar(x.getManager(), 0.5, x.getDataType()));
    }

    private static NDArray one(NDArray x) {
        return Numeric.scalar(x.getManager(), 1, x.getDataType());
    }

    /** Sign that leaves unsigned values (never negative) alone. */
    public static NDArray sign(NDArray x) {
        return x.getDataType() == DataType.UINT8 ? x.gt(0).toType(DataType.UINT8, false) : x.sign();
    }
}
