package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.List;

/** SequenceErase: a new sequence without the element at position (the last by default). */
@OnnxOp(type = "SequenceErase", since = 11)
public final class SequenceErase implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            TensorSequence s = Sequences.of(in.get(0), ctx);
            List<NDArray> items = new ArrayList<>(s.items());
            int at = in.has(1) ? Sequences.position(in.scalarLong(1), items.size(), false, ctx) : items.size() - 1;
            items.remove(at);
            return new NDList(new TensorSequence(ctx.manager(), items, s.elementType()));
        };
    }
}
