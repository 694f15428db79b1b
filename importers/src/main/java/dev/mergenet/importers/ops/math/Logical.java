package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** And, Or, Xor (boolean, broadcasting) and Not. */
@OnnxOp(
        type = "And",
        since = {1, 7})
@OnnxOp(
        type = "Or",
        since = {1, 7})
@OnnxOp(
        type = "Xor",
        since = {1, 7})
@OnnxOp(type = "Not", since = 1)
public final class Logical implements OpConverter {
    /** Which op. */
    public enum Kind {
        AND,
        OR,
        XOR,
        NOT
    }

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public Logical(String opType) {
        this.kind = switch (opType) {
            case "And" -> Kind.AND;
            case "Or" -> Kind.OR;
            case "Xor" -> Kind.XOR;
            case "Not" -> Kind.NOT;
            default -> throw new IllegalArgumentException("Logical does not implement " + opType);
        };
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
                case AND:
                    return new NDList(a.logicalAnd(b));
                case OR:
                    return new NDList(a.logicalOr(b));
                default:
                    return new NDList(a.logicalXor(b));
            }
        };
    }
}
