package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;

/** Range: start, start+delta, ... below limit (above it for a negative delta), in the inputs' type. */
public final class Range implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray startArray = in.get(0);
            DataType type = startArray.getDataType();
            NDManager m = ctx.manager();
            if (type.isFloating()) {
                double start = scalar(in.get(0));
                double limit = scalar(in.get(1));
                double delta = scalar(in.get(2));
                check(delta == 0, node);
                int n = (int) Math.max(Math.ceil((limit - start) / delta), 0);
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = start + i * delta;
                }
                return new NDList(m.create(v, new Shape(n)).toType(type, false));
            }
            long start = in.longs(0)[0];
            long limit = in.longs(1)[0];
            long delta = in.longs(2)[0];
            check(delta == 0, node);
            long span = limit - start;
            long n = Math.max(0, delta > 0 ? Math.floorDiv(span + delta - 1, delta) : Math.floorDiv(span + delta + 1, delta));
            long[] v = new long[Math.toIntExact(n)];
            for (int i = 0; i < n; i++) {
                v[i] = start + i * delta;
            }
            NDArray out = m.create(v, new Shape(n));
            return new NDList(type == DataType.INT64 ? out : out.toType(type, false));
        };
    }

    private static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray()[0];
    }

    private static void check(boolean zeroDelta, OnnxNode node) {
        if (zeroDelta) {
            throw new MergeNetException(node.describe() + ": delta is 0");
        }
    }
}
