package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.OnnxFormatException;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;

/** RMSNormalization: x / sqrt(mean(x^2) + epsilon) over the axes from {@code axis} on, times scale. */
public final class RmsNormalization implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axisAttr = node.attrs().getInt("axis", -1);
        float epsilon = node.attrs().getFloat("epsilon", 1e-5f);
        boolean stashFloat = node.attrs().getInt("stash_type", 1) == 1;
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
            if (axis < 0 || axis >= rank) {
                throw new OnnxFormatException(owner + ": axis " + axisAttr + " is out of range for rank " + rank);
            }
            DataType type = x.getDataType();
            boolean widen = stashFloat && (type == DataType.FLOAT16 || type == DataType.BFLOAT16);
            NDArray xs = widen ? x.toType(DataType.FLOAT32, false) : x;
            int[] axes = new int[rank - axis];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = axis + i;
            }
            NDArray normalized = xs.div(AxisReductions.mean(xs.mul(xs), axes).add(epsilon).sqrt());
            if (widen) {
                normalized = normalized.toType(type, false);
            }
            return new NDList(normalized.mul(in.get(1)));
        };
    }
}
