package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** MatMul with numpy semantics (1-D operands promoted, batch dimensions broadcast). */
@OnnxOp(type = "MatMul", since = {1, 9, 13})
public final class MatMul implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray a = in.get(0);
            DataType type = a.getDataType();
            return new NDList(Numeric.as(a.matMul(in.get(1)), type));
        };
    }
}
