package dev.mergenet.importers.ndarray;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.mergenet.core.engine.TorchEngine;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;

/**
 * Arithmetic with a scalar that stays valid for the backward pass.
 *
 * <p>DJL's {@code NDArray.mul(Number)}, {@code div}, {@code pow}, {@code maximum} and {@code minimum} wrap the
 * scalar in a tensor over a Java direct buffer and close it as soon as the op returns. PyTorch's autograd saves
 * that scalar for the backward pass (d(x·c)/dx needs c), but the buffer is freed by the next garbage collection:
 * gradients then read freed memory and come out as garbage, Inf or NaN, depending on when the GC ran. Here the
 * scalar is created in engine-owned memory instead, which autograd keeps alive by reference counting. Use these
 * instead of the {@code Number} overloads everywhere (a test scans the bytecode for the latter).
 */
public final class ScalarMath {
    private ScalarMath() {}

    /** A 0-d array of {@code type} on the manager's device, in engine-owned memory (torch::full, exact in float64). */
    public static NDArray scalar(NDManager manager, double value, DataType type) {
        return TorchEngine.full(manager, new Shape(), value, type, manager.getDevice(), SparseFormat.DENSE);
    }

    public static NDArray mul(NDArray a, double v) {
        return apply(a, v, NDArray::mul, NDArray::mul);
    }

    /** Integer factor: keeps an integer array integer, as the {@code Number} overload does. */
    public static NDArray mul(NDArray a, long v) {
        return a.getDataType().isFloating() ? mul(a, (double) v) : a.mul(Long.valueOf(v));
    }

    public static NDArray div(NDArray a, double v) {
        return apply(a, v, NDArray::div, NDArray::div);
    }

    public static NDArray pow(NDArray a, double v) {
        return apply(a, v, NDArray::pow, NDArray::pow);
    }

    public static NDArray maximum(NDArray a, double v) {
        return apply(a, v, NDArray::maximum, NDArray::maximum);
    }

    public static NDArray minimum(NDArray a, double v) {
        return apply(a, v, NDArray::minimum, NDArray::minimum);
    }

    private static NDArray apply(
            NDArray a, double v, BinaryOperator<NDArray> op, BiFunction<NDArray, Number, NDArray> integerOp) {
        if (!a.getDataType().isFloating()) {
            return integerOp.apply(a, v); // integer arrays never carry gradients
        }
        try (NDArray s =
                TorchEngine.full(a.getManager(), new Shape(), v, a.getDataType(), a.getDevice(), SparseFormat.DENSE)) {
            return op.apply(a, s);
        }
    }
}
