package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** GlobalAveragePool, GlobalMaxPool and GlobalLpPool: one reduction over every spatial axis, kept as size 1. */
@OnnxOp(
        type = "GlobalAveragePool",
        since = {1, 22})
@OnnxOp(
        type = "GlobalMaxPool",
        since = {1, 22})
@OnnxOp(
        type = "GlobalLpPool",
        since = {1, 2, 22})
public final class GlobalPool implements OpConverter {
    /** The reduction a global pool applies. */
    public enum Kind {
        AVERAGE,
        MAX,
        LP
    }

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public GlobalPool(String opType) {
        this.kind = switch (opType) {
            case "GlobalAveragePool" -> Kind.AVERAGE;
            case "GlobalMaxPool" -> Kind.MAX;
            case "GlobalLpPool" -> Kind.LP;
            default -> throw new IllegalArgumentException("GlobalPool does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        double p = kind == Kind.LP ? LpPool.pAttribute(node) : 0;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            int[] axes = new int[rank - 2];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i + 2;
            }
            NDArray y = switch (kind) {
                case AVERAGE -> AxisReductions.mean(x, axes);
                case MAX ->
                    x.getDataType().isFloating()
                            ? AxisReductions.max(x, axes)
                            : AxisReductions.max(x.toType(DataType.FLOAT64, false), axes)
                                    .toType(x.getDataType(), false);
                case LP -> LpPool.root(AxisReductions.sum(LpPool.power(x, p), axes), p);
            };
            return new NDList(y);
        };
    }
}
