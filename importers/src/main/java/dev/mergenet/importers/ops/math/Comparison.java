package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Equal, Greater, Less, GreaterOrEqual, LessOrEqual: boolean results with numpy broadcasting. */
public final class Comparison implements OpConverter {
    /** Which comparison. */
    public enum Kind { EQ, GT, LT, GE, LE }

    private final Kind kind;

    public Comparison(Kind kind) {
        this.kind = kind;
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
                case EQ: return new NDList(a.eq(b));
                case GT: return new NDList(a.gt(b));
                case LT: return new NDList(a.lt(b));
                case GE: return new NDList(a.gte(b));
                default: return new NDList(a.lte(b));
            }
        };
    }
}
