package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Where(condition, X, Y): X where the condition holds, else Y, all three broadcast together. */
@OnnxOp(
        type = "Where",
        since = {9, 16})
public final class Where implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray x = in.get(1);
            DataType type = x.getDataType();
            NDArray[] b = Numeric.broadcastAll(
                    node, Numeric.as(in.get(0), DataType.BOOLEAN), x, Numeric.as(in.get(2), x.getDataType()));
            return new NDList(Numeric.as(b[1].getNDArrayInternal().where(b[0], b[2]), type));
        };
    }
}
