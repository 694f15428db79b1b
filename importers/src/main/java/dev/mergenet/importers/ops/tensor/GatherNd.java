package dev.mergenet.importers.ops.tensor;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * GatherND: each index tuple (the last indices axis, length k) picks a slice data[b..., i1..ik, :] per batch
 * (batch_dims, opset 12). The tuple becomes a linear offset on the device, then one torch gather does the rest.
 */
@OnnxOp(
        type = "GatherND",
        since = {11, 12, 13})
public final class GatherNd implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long batchDimsAttr = node.attrs().getInt("batch_dims", 0);
        if (batchDimsAttr < 0 || batchDimsAttr > Integer.MAX_VALUE) {
            throw new OnnxFormatException(node.describe() + ": batch_dims " + batchDimsAttr + " is out of range");
        }
        int batchDims = (int) batchDimsAttr;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray indices = in.get(1);
            long[] dims = x.getShape().getShape();
            long[] idxDims = indices.getShape().getShape();
            int q = idxDims.length;
            if (!indices.getDataType().isInteger()) {
                throw new OnnxFormatException(node.describe() + ": indices '"
                        + node.inputs().get(1) + "' are " + indices.getDataType() + ", not integers");
            }
            if (q < 1 || batchDims >= Math.min(dims.length, q)) {
                throw new MergeNetException(node.describe() + ": batch_dims " + batchDims + " too large for data "
                        + x.getShape() + " and indices " + indices.getShape());
            }
            int k = (int) idxDims[q - 1];
            if (batchDims + k > dims.length) {
                throw new MergeNetException(node.describe() + ": index tuples of length " + k + " exceed data rank "
                        + dims.length + " after " + batchDims + " batch dims");
            }
            long batch = Axes.product(dims, 0, batchDims);
            long[] picked = Arrays.copyOfRange(dims, batchDims, batchDims + k);
            long rows = Axes.product(picked, 0, k);
            long rest = Axes.product(dims, batchDims + k, dims.length);
            NDArray sizes = ctx.manager().create(picked);
            NDArray strides = ctx.manager().create(Axes.strides(picked));
            NDArray idx = indices.getDataType() == DataType.INT64 ? indices : indices.toType(DataType.INT64, false);
            idx = idx.add(idx.lt(0).toType(DataType.INT64, false).mul(sizes));
            NDArray linear = k == 0
                    ? ctx.manager().zeros(new Shape(Arrays.copyOf(idxDims, q - 1)), DataType.INT64)
                    : idx.mul(strides).sum(new int[] {q - 1});
            long perBatch = Axes.product(idxDims, batchDims, q - 1);
            NDArray index = linear.reshape(batch, perBatch, 1).broadcast(new Shape(batch, perBatch, rest));
            NDArray out;
            try {
                out = x.reshape(batch, rows, rest).gather(index, 1);
            } catch (EngineException e) {
                throw new OnnxFormatException(
                        node.describe() + ": indices '" + node.inputs().get(1) + "' "
                                + indices.getShape() + " point outside data '"
                                + node.inputs().get(0) + "' " + x.getShape()
                                + " (" + e.getMessage() + ")",
                        e);
            }
            long[] outDims = new long[q - 1 + dims.length - batchDims - k];
            System.arraycopy(idxDims, 0, outDims, 0, q - 1);
            System.arraycopy(dims, batchDims + k, outDims, q - 1, dims.length - batchDims - k);
            return new NDList(out.reshape(new Shape(outDims)));
        };
    }
}
