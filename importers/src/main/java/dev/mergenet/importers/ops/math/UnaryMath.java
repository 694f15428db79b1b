package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.function.UnaryOperator;

/**
 * Elementwise ops of one input whose output type is the input's (Abs, Exp, Sin, ...); a function that
 * changes the type (sign of uint8, say) is cast back.
 */
public final class UnaryMath implements OpConverter {
    private final UnaryOperator<NDArray> fn;

    public UnaryMath(UnaryOperator<NDArray> fn) {
        this.fn = fn;
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
