package dev.mergenet.importers.ops.sequence;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the sequence ops (sequences live only inside a graph; graph inputs and outputs stay tensors). */
public final class SequenceOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("SequenceEmpty", new SequenceEmpty(), 11);
        r.add("SequenceConstruct", new SequenceConstruct(), 11);
        r.add("SequenceInsert", new SequenceInsert(), 11);
        r.add("SequenceErase", new SequenceErase(), 11);
        r.add("SequenceAt", new SequenceAt(), 11);
        r.add("SequenceLength", new SequenceLength(), 11);
        r.add("ConcatFromSequence", new ConcatFromSequence(), 11);
        r.add("SplitToSequence", new SplitToSequence(), 11);
    }
}
