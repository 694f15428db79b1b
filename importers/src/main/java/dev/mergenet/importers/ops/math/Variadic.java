package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Max, Min, Sum and Mean over any number of same-typed inputs, with numpy broadcasting. */
@OnnxOp(
        type = "Max",
        since = {1, 6, 8, 12, 13})
@OnnxOp(
        type = "Min",
        since = {1, 6, 8, 12, 13})
@OnnxOp(
        type = "Sum",
        since = {1, 6, 8, 13})
@OnnxOp(
        type = "Mean",
        since = {1, 6, 8, 13})
public final class Variadic implements OpConverter {
    /** Which fold. */
    public enum Kind {
        MAX,
        MIN,
        SUM,
        MEAN
    }

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public Variadic(String opType) {
        this.kind = switch (opType) {
            case "Max" -> Kind.MAX;
            case "Min" -> Kind.MIN;
            case "Sum" -> Kind.SUM;
            case "Mean" -> Kind.MEAN;
            default -> throw new IllegalArgumentException("Variadic does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            if (in.size() == 0 || !in.has(0)) {
                throw new MergeNetException(node.describe() + ": needs at least one input");
            }
            NDArray first = in.get(0);
            DataType type = first.getDataType();
            NDArray acc = first;
            for (int i = 1; i < in.size(); i++) {
                NDArray x = Numeric.as(in.get(i), acc.getDataType());
                switch (kind) {
                    case MAX:
                        acc = acc.maximum(x);
                        break;
                    case MIN:
                        acc = acc.minimum(x);
                        break;
                    default:
                        acc = acc.add(x);
                }
            }
            if (kind == Kind.MEAN && in.size() > 1) {
                acc = acc.div(Numeric.scalar(acc.getManager(), in.size(), acc.getDataType()));
            }
            return new NDList(Numeric.owned(Numeric.as(acc, type), first));
        };
    }
}
