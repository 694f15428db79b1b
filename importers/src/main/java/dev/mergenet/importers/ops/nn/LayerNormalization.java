package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * LayerNormalization: normalizes over the axes from {@code axis} to the last; the optional Mean and InvStdDev
 * outputs keep the reduced axes as size 1. stash_type 1 computes half-precision inputs in float32.
 */
@OnnxOp(type = "LayerNormalization", since = 17)
public final class LayerNormalization implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axisAttr = node.attrs().getInt("axis", -1);
        float epsilon = node.attrs().getFloat("epsilon", 1e-5f);
        boolean stashFloat = node.attrs().getInt("stash_type", 1) == 1;
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int[] axes = TrailingAxes.from(axisAttr, x.getShape().dimension(), owner);
            DataType type = x.getDataType();
            boolean widen = TrailingAxes.widens(stashFloat, type);
            NDArray xs = widen ? x.toType(DataType.FLOAT32, false) : x;
            NDArray mean = AxisReductions.mean(xs, axes);
            NDArray centered = xs.sub(mean);
            NDArray invStd = ScalarMath.pow(
                    AxisReductions.mean(centered.mul(centered), axes)
                            .add(epsilon)
                            .sqrt(),
                    -1);
            NDArray normalized = centered.mul(invStd);
            if (widen) {
                normalized = normalized.toType(type, false);
            }
            NDArray y = normalized.mul(in.get(1));
            if (in.has(2)) {
                y = y.add(in.get(2));
            }
            return new NDList(y, mean, invStd);
        };
    }
}
