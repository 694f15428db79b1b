package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.sequence.TensorSequence;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** NonZero: int64 [rank, count] coordinates of the non-zero elements in row-major order. */
@OnnxOp(
        type = "NonZero",
        since = {9, 13})
public final class NonZero implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray x = in.get(0);
            if (x instanceof TensorSequence) {
                throw new OnnxFormatException(
                        node.describe() + ": input '" + node.inputs().get(0) + "' is a sequence, not a tensor");
            }
            if (x.getShape().dimension() == 0) {
                // as ONNX Runtime (and numpy's nonzero): a scalar counts as one value, (1, 1) or (1, 0)
                return new NDList(x.reshape(1).nonzero().transpose().toType(DataType.INT64, false));
            }
            NDArray coords = x.nonzero();
            return new NDList(coords.transpose().toType(DataType.INT64, false));
        };
    }
}
