package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** SequenceLength: the number of tensors, as an int64 scalar. */
@OnnxOp(type = "SequenceLength", since = 11)
public final class SequenceLength implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> new NDList(
                ctx.manager().create((long) Sequences.of(in.get(0), ctx).length()));
    }
}
