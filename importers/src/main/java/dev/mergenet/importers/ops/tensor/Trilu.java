package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Trilu: keeps the upper (upper=1) or lower triangle of the last two axes, shifted by diagonal k; zeros elsewhere. */
@OnnxOp(type = "Trilu", since = 14)
public final class Trilu implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean upper = node.attrs().getInt("upper", 1) != 0;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            if (rank < 2) {
                throw new MergeNetException(node.describe() + ": input " + x.getShape() + " has rank below 2");
            }
            long k = in.has(1) ? in.scalarLong(1) : 0;
            long rows = x.getShape().get(rank - 2);
            long cols = x.getShape().get(rank - 1);
            NDManager m = ctx.manager();
            NDArray offset = m.arange(0, cols, 1, DataType.INT64)
                    .reshape(1, cols)
                    .sub(m.arange(0, rows, 1, DataType.INT64).reshape(rows, 1));
            NDArray keep = upper ? offset.gte(k) : offset.lte(k);
            NDArray mask = keep.broadcast(x.getShape());
            return new NDList(NDArrays.where(mask, x, x.zerosLike()));
        };
    }
}
