package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** IsNaN and IsInf (with detect_positive / detect_negative): boolean masks of special float values. */
@OnnxOp(
        type = "IsNaN",
        since = {9, 13, 20})
@OnnxOp(
        type = "IsInf",
        since = {10, 20})
public final class FloatClass implements OpConverter {
    private final boolean nan;

    /** The converter for {@code opType}: IsNaN or IsInf. */
    public FloatClass(String opType) {
        if (!opType.equals("IsNaN") && !opType.equals("IsInf")) {
            throw new IllegalArgumentException("FloatClass does not implement " + opType);
        }
        this.nan = opType.equals("IsNaN");
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        if (nan) {
            return (ctx, in) -> new NDList(in.get(0).isNaN());
        }
        boolean positive = node.attrs().getInt("detect_positive", 1) != 0;
        boolean negative = node.attrs().getInt("detect_negative", 1) != 0;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray inf = x.isInfinite();
            if (positive && negative) {
                return new NDList(inf);
            }
            if (!positive && !negative) {
                return new NDList(inf.logicalAnd(inf.logicalNot()));
            }
            return new NDList(inf.logicalAnd(positive ? x.gt(0) : x.lt(0)));
        };
    }
}
