package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.List;

/** SequenceEmpty: an empty sequence of the dtype attribute (float by default). */
@OnnxOp(type = "SequenceEmpty", since = 11)
public final class SequenceEmpty implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        DataType type = OnnxDataTypes.toDjl((int) node.attrs().getInt("dtype", 1));
        return (ctx, in) -> new NDList(new TensorSequence(ctx.manager(), List.of(), type));
    }
}
