package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.ResourceLimitException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.math.BigInteger;

/** Range: start, start+delta, ... below limit (above it for a negative delta), in the inputs' type. */
@OnnxOp(type = "Range", since = 11)
public final class Range implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray startArray = in.get(0);
            DataType type = startArray.getDataType();
            NDManager m = ctx.manager();
            if (type.isFloating()) {
                double start = in.scalarDouble(0);
                double limit = in.scalarDouble(1);
                double delta = in.scalarDouble(2);
                check(delta == 0, node);
                double count = Math.max(Math.ceil((limit - start) / delta), 0);
                if (!(count <= Long.MAX_VALUE)) {
                    throw new ResourceLimitException(node.describe() + ": Range(" + start + ", " + limit + ", " + delta
                            + ") has no finite length");
                }
                MemoryBudget.checkElements(
                        node.describe() + ": output of Range(" + start + ", " + limit + ", " + delta + ")",
                        (long) count,
                        Double.BYTES);
                int n = (int) count;
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = start + i * delta;
                }
                return new NDList(m.create(v, new Shape(n)).toType(type, false));
            }
            long start = in.scalarLong(0);
            long limit = in.scalarLong(1);
            long delta = in.scalarLong(2);
            check(delta == 0, node);
            long n = length(start, limit, delta);
            MemoryBudget.checkElements(
                    node.describe() + ": output of Range(" + start + ", " + limit + ", " + delta + ")", n, Long.BYTES);
            long[] v = new long[Math.toIntExact(n)];
            for (int i = 0; i < n; i++) {
                v[i] = start + i * delta;
            }
            NDArray out = m.create(v, new Shape(n));
            return new NDList(type == DataType.INT64 ? out : out.toType(type, false));
        };
    }

    /** ceil((limit - start) / delta), at least 0, computed without overflow and capped at Long.MAX_VALUE. */
    private static long length(long start, long limit, long delta) {
        BigInteger span = BigInteger.valueOf(limit).subtract(BigInteger.valueOf(start));
        BigInteger[] qr = span.divideAndRemainder(BigInteger.valueOf(delta));
        BigInteger n = qr[1].signum() != 0 && span.signum() == Long.signum(delta) ? qr[0].add(BigInteger.ONE) : qr[0];
        return n.signum() <= 0 ? 0 : n.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    private static void check(boolean zeroDelta, OnnxNode node) {
        if (zeroDelta) {
            throw new MergeNetException(node.describe() + ": delta is 0");
        }
    }
}
