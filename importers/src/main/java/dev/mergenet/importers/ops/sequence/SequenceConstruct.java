package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** SequenceConstruct: the inputs, in order, as one sequence. */
@OnnxOp(type = "SequenceConstruct", since = 11)
public final class SequenceConstruct implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> new NDList(new TensorSequence(ctx.manager(), in.all(), in.get(0).getDataType()));
    }
}
