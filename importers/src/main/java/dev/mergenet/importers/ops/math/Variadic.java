package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;

/** Max, Min, Sum and Mean over any number of same-typed inputs, with numpy broadcasting. */
public final class Variadic implements OpConverter {
    /** Which fold. */
    public enum Kind { MAX, MIN, SUM, MEAN }

    private final Kind kind;

    public Variadic(Kind kind) {
        this.kind = kind;
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
                    case MAX: acc = acc.maximum(x); break;
                    case MIN: acc = acc.minimum(x); break;
                    default: acc = acc.add(x);
                }
            }
            if (kind == Kind.MEAN && in.size() > 1) {
                acc = acc.div(Numeric.scalar(acc.getManager(), in.size(), acc.getDataType()));
            }
            return new NDList(Numeric.owned(Numeric.as(acc, type), first));
        };
    }
}
