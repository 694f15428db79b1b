package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** And, Or, Xor (boolean, broadcasting) and Not. */
public final class Logical implements OpConverter {
    /** Which op. */
    public enum Kind { AND, OR, XOR, NOT }

    private final Kind kind;

    public Logical(Kind kind) {
        this.kind = kind;
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray a = Numeric.as(in.get(0), DataType.BOOLEAN);
            if (kind == Kind.NOT) {
                return new NDList(a.logicalNot());
            }
            NDArray b = Numeric.as(Numeric.legacyAlign(node, a, in.get(1)), DataType.BOOLEAN);
            switch (kind) {
                case AND: return new NDList(a.logicalAnd(b));
                case OR: return new NDList(a.logicalOr(b));
                default: return new NDList(a.logicalXor(b));
            }
        };
    }
}
