package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.ndarray.ScalarMath;

/**
 * Differentiable selection of positions along one axis: the building block of Gather, Pad's non-constant
 * modes, Resize, Compress and Unique. It is a torch gather with an index broadcast over the other axes, so
 * the gradient (a scatter-add) flows back to the data and repeated positions accumulate correctly.
 */
final class AlongAxis {
    private AlongAxis() {}

    /** {@code x} at positions {@code index} (1-D, int64, in range, non-negative) along {@code axis}. */
    static NDArray take(NDArray x, NDArray index, int axis) {
        long[] dims = x.getShape().getShape();
        long k = index.getShape().size();
        long[] target = dims.clone();
        target[axis] = k;
        NDArray idx = index.reshape(Axes.along(dims.length, axis, k)).broadcast(new Shape(target));
        return x.gather(idx, axis);
    }

    /** Host positions (computed from shapes and attributes) along {@code axis}. */
    static NDArray take(NDArray x, long[] index, int axis, NDManager manager) {
        return take(x, manager.create(index), axis);
    }

    /** Integer indices as int64 with negative entries counted from {@code size} (the ONNX convention). */
    static NDArray wrapNegative(NDArray index, long size) {
        NDArray i = index.getDataType() == DataType.INT64 ? index : index.toType(DataType.INT64, false);
        return i.add(ScalarMath.mul(i.lt(0).toType(DataType.INT64, false), size));
    }
}
