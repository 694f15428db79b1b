package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Mod: fmod=0 takes the divisor's sign (Python %), fmod=1 the dividend's (C fmod). libtorch's remainder is
 * the first; the second is derived from it by moving nonzero results whose sign differs from the dividend's.
 */
@OnnxOp(
        type = "Mod",
        since = {10, 13})
public final class Mod implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean fmod = node.attrs().getInt("fmod", 0) != 0;
        return (ctx, in) -> {
            NDArray a = in.get(0);
            NDArray b = in.get(1);
            DataType type = a.getDataType();
            if (type.isFloating() && !fmod) {
                throw new MergeNetException(node.describe() + ": fmod must be 1 for floating-point inputs");
            }
            NDArray d = Numeric.as(b, type);
            NDArray r = a.mod(d);
            if (fmod) {
                NDArray zero = Numeric.scalar(a.getManager(), 0, type);
                // all three have the broadcast shape of a and d, as where() needs
                NDArray wrongSign = r.neq(zero).logicalAnd(r.lt(zero).logicalXor(a.lt(zero)));
                r = r.sub(d).getNDArrayInternal().where(wrongSign, r);
            }
            return new NDList(Numeric.as(r, type));
        };
    }
}
