package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;

/**
 * Clip: bounds from the min/max attributes (versions 1 and 6) or from optional scalar inputs (11+). Built
 * from maximum and minimum so autograd flows to X and to the bound tensors.
 */
public final class Clip implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        if (node.sinceVersion() < 11) {
            float min = node.attrs().getFloat("min", Float.NEGATIVE_INFINITY);
            float max = node.attrs().getFloat("max", Float.POSITIVE_INFINITY);
            return (ctx, in) -> {
                NDArray x = in.get(0);
                NDArray y = x;
                if (min != Float.NEGATIVE_INFINITY) {
                    y = y.maximum(Numeric.scalar(ctx.manager(), min, x.getDataType()));
                }
                if (max != Float.POSITIVE_INFINITY) {
                    y = y.minimum(Numeric.scalar(ctx.manager(), max, x.getDataType()));
                }
                return new NDList(Numeric.owned(y, x));
            };
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            DataType type = x.getDataType();
            NDArray y = x;
            if (in.has(1)) {
                y = y.maximum(Numeric.as(in.get(1), y.getDataType()));
            }
            if (in.has(2)) {
                y = y.minimum(Numeric.as(in.get(2), y.getDataType()));
            }
            return new NDList(Numeric.owned(Numeric.as(y, type), x));
        };
    }
}
