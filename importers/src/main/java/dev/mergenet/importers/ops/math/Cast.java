package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;

/** Cast (to the type in attribute 'to') and CastLike (to the type of input 1). */
public final class Cast implements OpConverter {
    private final boolean like;

    private Cast(boolean like) {
        this.like = like;
    }

    public static Cast cast() {
        return new Cast(false);
    }

    public static Cast castLike() {
        return new Cast(true);
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        if (like) {
            return (ctx, in) -> new NDList(convert(in.get(0), Numeric.checkHoldable(node, in.get(1).getDataType())));
        }
        int to = (int) node.attrs().requireInt("to");
        DataType target = OnnxDataTypes.toDjl(to);
        if (target == null) {
            throw new MergeNetException(node.describe() + ": cannot cast to " + OnnxDataTypes.name(to)
                    + " (the engine has no such tensor type)");
        }
        Numeric.checkHoldable(node, target);
        return (ctx, in) -> new NDList(convert(in.get(0), target));
    }

    private static NDArray convert(NDArray x, DataType target) {
        if (x.getDataType() == target) {
            return x.reshape(x.getShape());
        }
        return x.toType(target, false);
    }
}
