package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.List;

/** SequenceInsert: a new sequence with the tensor inserted at position (the end by default). */
@OnnxOp(type = "SequenceInsert", since = 11)
public final class SequenceInsert implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            TensorSequence s = Sequences.of(in.get(0), ctx);
            List<NDArray> items = new ArrayList<>(s.items());
            int at = in.has(2) ? Sequences.position(in.scalarLong(2), items.size(), true, ctx) : items.size();
            items.add(at, in.get(1));
            return new NDList(new TensorSequence(ctx.manager(), items, in.get(1).getDataType()));
        };
    }
}
