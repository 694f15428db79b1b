package dev.mergenet.importers.ops.math;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.OpKernel;

/** MatMul with numpy semantics (1-D operands promoted, batch dimensions broadcast). */
@OnnxOp(
        type = "MatMul",
        since = {1, 9, 13})
public final class MatMul implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray a = in.get(0);
            NDArray b = in.get(1);
            check(node, in);
            DataType type = a.getDataType();
            try {
                return new NDList(Numeric.as(a.matMul(b), type));
            } catch (EngineException e) {
                throw new OnnxFormatException(
                        node.describe() + ": the engine refused " + in.describe(0) + " times " + in.describe(1) + " ("
                                + e.getMessage() + ")",
                        e);
            }
        };
    }

    /** Refuses what numpy's matmul refuses: different types, a scalar, inner dims or batch dims that disagree. */
    static void check(OnnxNode node, OpInputs in) {
        long[] a = in.get(0).getShape().getShape();
        long[] b = in.get(1).getShape().getShape();
        String why = null;
        if (in.get(0).getDataType() != in.get(1).getDataType()) {
            why = "the types differ";
        } else if (a.length == 0 || b.length == 0) {
            why = "a scalar has no matrix product";
        } else if (a[a.length - 1] != (b.length == 1 ? b[0] : b[b.length - 2])) {
            why = "the inner dimensions differ";
        } else {
            // batch dims (all but the last two, after promoting 1-D operands) broadcast from the right
            int ra = Math.max(0, a.length - 2);
            int rb = Math.max(0, b.length - 2);
            for (int i = 1; i <= Math.min(ra, rb); i++) {
                long x = a[ra - i];
                long y = b[rb - i];
                if (x != y && x != 1 && y != 1) {
                    why = "the batch dimensions do not broadcast";
                    break;
                }
            }
        }
        if (why != null) {
            throw new OnnxFormatException(node.describe() + ": " + in.describe(0) + " and " + in.describe(1)
                    + " have no matrix product: " + why);
        }
    }
}
