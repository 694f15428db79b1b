package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Equal, Greater, Less, GreaterOrEqual, LessOrEqual: boolean results with numpy broadcasting. */
@OnnxOp(
        type = "Equal",
        since = {1, 7, 11, 13, 19})
@OnnxOp(
        type = "Greater",
        since = {1, 7, 9, 13})
@OnnxOp(
        type = "Less",
        since = {1, 7, 9, 13})
@OnnxOp(
        type = "GreaterOrEqual",
        since = {12, 16})
@OnnxOp(
        type = "LessOrEqual",
        since = {12, 16})
public final class Comparison implements OpConverter {
    /** Which comparison. */
    public enum Kind {
        EQ,
        GT,
        LT,
        GE,
        LE
    }

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public Comparison(String opType) {
        this.kind = switch (opType) {
            case "Equal" -> Kind.EQ;
            case "Greater" -> Kind.GT;
            case "Less" -> Kind.LT;
            case "GreaterOrEqual" -> Kind.GE;
            case "LessOrEqual" -> Kind.LE;
            default -> throw new IllegalArgumentException("Comparison does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray a = in.get(0);
            NDArray b = Numeric.legacyAlign(node, a, in.get(1));
            if (a.getDataType() != b.getDataType()) {
                DataType common = a.getDataType().isFloating() ? a.getDataType() : b.getDataType();
                a = Numeric.as(a, common);
                b = Numeric.as(b, common);
            }
            switch (kind) {
                case EQ:
                    return new NDList(a.eq(b));
                case GT:
                    return new NDList(a.gt(b));
                case LT:
                    return new NDList(a.lt(b));
                case GE:
                    return new NDList(a.gte(b));
                default:
                    return new NDList(a.lte(b));
            }
        };
    }
}
