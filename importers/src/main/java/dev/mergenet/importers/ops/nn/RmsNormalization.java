package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** RMSNormalization: x / sqrt(mean(x^2) + epsilon) over the axes from {@code axis} on, times scale. */
@OnnxOp(type = "RMSNormalization", since = 23)
public final class RmsNormalization implements OpConverter {
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
            NDArray normalized =
                    xs.div(AxisReductions.mean(xs.mul(xs), axes).add(epsilon).sqrt());
            if (widen) {
                normalized = normalized.toType(type, false);
            }
            return new NDList(normalized.mul(in.get(1)));
        };
    }
}
