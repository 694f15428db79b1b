package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** SequenceConstruct: the inputs, in order, as one sequence. */
@OnnxOp(type = "SequenceConstruct", since = 11)
public final class SequenceConstruct implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            for (int i = 0; i < in.size(); i++) {
                // every input is required (a sequence has no holes); an empty name used to end in a null item
                if (!in.has(i)) {
                    throw new OnnxFormatException(node.describe() + ": input " + i + " is empty; every input of"
                            + " SequenceConstruct is required");
                }
            }
            return new NDList(
                    new TensorSequence(ctx.manager(), in.all(), in.get(0).getDataType()));
        };
    }
}
