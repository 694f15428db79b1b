package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** EyeLike: a 2-D tensor shaped like the input with ones on diagonal k, in 'dtype' (default: the input's type). */
@OnnxOp(
        type = "EyeLike",
        since = {9, 22})
public final class EyeLike implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long k = node.attrs().getInt("k", 0);
        DataType dtype = node.attrs().has("dtype")
                ? OnnxDataTypes.toDjl((int) node.attrs().getInt("dtype", 1))
                : null;
        if (node.attrs().has("dtype") && dtype == null) {
            throw new MergeNetException(
                    node.describe() + ": dtype " + node.attrs().getInt("dtype", 0) + " is not supported");
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            if (x.getShape().dimension() != 2) {
                throw new MergeNetException(node.describe() + ": input " + x.getShape() + " is not 2-D");
            }
            long rows = x.getShape().get(0);
            long cols = x.getShape().get(1);
            NDManager m = ctx.manager();
            NDArray diagonal = m.arange(0, cols, 1, DataType.INT64)
                    .reshape(1, cols)
                    .sub(m.arange(0, rows, 1, DataType.INT64).reshape(rows, 1))
                    .eq(k);
            return new NDList(diagonal.toType(dtype == null ? x.getDataType() : dtype, false));
        };
    }
}
