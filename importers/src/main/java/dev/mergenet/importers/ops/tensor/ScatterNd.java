package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * ScatterND: each index tuple (last indices axis, length k) addresses a slice data[i1..ik, ...] that receives
 * the matching slice of updates; 'reduction' (opset 16/18) combines instead of overwriting.
 */
@OnnxOp(
        type = "ScatterND",
        since = {11, 13, 16, 18})
public final class ScatterNd implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        FlatScatter.Reduction reduction =
                FlatScatter.Reduction.parse(node.attrs().getString("reduction", "none"), node.sinceVersion(), node);
        return (ctx, in) -> {
            NDArray data = in.get(0);
            NDArray indices = in.get(1);
            NDArray updates = in.get(2);
            long[] dims = data.getShape().getShape();
            long[] idxDims = indices.getShape().getShape();
            int q = idxDims.length;
            int k = q == 0 ? -1 : (int) idxDims[q - 1];
            long[] expected = new long[Math.max(0, q - 1 + dims.length - k)];
            if (k >= 0 && k <= dims.length) {
                System.arraycopy(idxDims, 0, expected, 0, q - 1);
                System.arraycopy(dims, k, expected, q - 1, dims.length - k);
            }
            if (k < 0
                    || k > dims.length
                    || !Arrays.equals(expected, updates.getShape().getShape())) {
                throw new MergeNetException(node.describe() + ": data " + data.getShape() + ", indices "
                        + indices.getShape() + " and updates " + updates.getShape() + " do not fit");
            }
            long[] idx = in.longs(1);
            long[] strides = Axes.strides(dims);
            long inner = Axes.product(dims, k, dims.length);
            long tuples = Axes.product(idxDims, 0, q - 1);
            long[] targets = new long[Math.toIntExact(tuples * inner)];
            long[] sources = new long[targets.length];
            int n = 0;
            for (long j = 0; j < tuples; j++) {
                long base = 0;
                for (int d = 0; d < k; d++) {
                    long v = idx[(int) (j * k + d)];
                    long w = v < 0 ? v + dims[d] : v;
                    if (w < 0 || w >= dims[d]) {
                        throw new MergeNetException(node.describe() + ": index " + v + " is out of range for axis " + d
                                + " of size " + dims[d]);
                    }
                    base += w * strides[d];
                }
                for (long i = 0; i < inner; i++) {
                    targets[n] = base + i;
                    sources[n++] = j * inner + i;
                }
            }
            return new NDList(FlatScatter.apply(data, updates, targets, sources, reduction, ctx.manager()));
        };
    }
}
