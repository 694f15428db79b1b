package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** SequenceAt: the tensor at position (negative counts from the end). */
@OnnxOp(type = "SequenceAt", since = 11)
public final class SequenceAt implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            TensorSequence s = Sequences.of(in.get(0), ctx);
            var item = s.items().get(Sequences.position(in.scalarLong(1), s.length(), false, ctx));
            return new NDList(item.reshape(item.getShape())); // a handle of its own: the graph owns outputs
        };
    }
}
