package dev.mergenet.importers.ops.tensor;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Gather: entries of the data along 'axis' picked by an index tensor of any rank (negative counts from the
 * end); the output shape is data.shape[:axis] + indices.shape + data.shape[axis+1:].
 */
@OnnxOp(
        type = "Gather",
        since = {1, 11, 13})
public final class Gather implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().getInt("axis", 0);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray indices = in.get(1);
            long[] dims = x.getShape().getShape();
            int a = Axes.normalize(axis, dims.length, node, "axis");
            if (!indices.getDataType().isInteger()) {
                throw new OnnxFormatException(node.describe() + ": " + in.describe(1) + " must hold integers");
            }
            NDArray flat = AlongAxis.wrapNegative(indices, dims[a]).reshape(-1);
            NDArray picked;
            try {
                picked = AlongAxis.take(x, flat, a);
            } catch (EngineException e) {
                // the range [-d, d-1] is checked by the engine, so valid indices cost no pass over them here
                throw new OnnxFormatException(
                        node.describe() + ": " + in.describe(1) + " holds an index outside [-"
                                + dims[a] + ", " + (dims[a] - 1) + "] for axis " + a + " of " + in.describe(0) + " ("
                                + e.getMessage() + ")",
                        e);
            }
            long[] idxDims = indices.getShape().getShape();
            long[] out = new long[dims.length - 1 + idxDims.length];
            System.arraycopy(dims, 0, out, 0, a);
            System.arraycopy(idxDims, 0, out, a, idxDims.length);
            System.arraycopy(dims, a + 1, out, a + idxDims.length, dims.length - a - 1);
            return new NDList(picked.reshape(new Shape(out)));
        };
    }
}
