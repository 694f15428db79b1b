package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;
import java.util.Comparator;

/**
 * TopK: the k largest (or smallest, opset 11) entries along 'axis' and their int64 indices; k is an attribute
 * before opset 10 and an input after. The spec wants the lower index first among equal values, which
 * torch.topk does not promise, so the order is a stable sort on the host; the values are then gathered on the
 * device through those indices, which keeps them differentiable.
 */
@OnnxOp(
        type = "TopK",
        since = {1, 10, 11})
public final class TopK implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().getInt("axis", -1);
        boolean largest = node.attrs().getInt("largest", 1) != 0;
        boolean kInput = node.sinceVersion() >= 10;
        long attrK = node.attrs().getInt("k", -1);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] dims = x.getShape().getShape();
            int a = Axes.normalize(axis, dims.length, node, "axis");
            long k = kInput ? in.scalarLong(1) : attrK;
            long dim = dims[a];
            if (k < 0 || k > dim) {
                throw new MergeNetException(
                        node.describe() + ": k " + k + " is out of range for axis " + a + " of size " + dim);
            }
            int last = dims.length - 1;
            NDArray moved = a == last ? x : x.swapAxes(a, last);
            double[] values = moved.toType(DataType.FLOAT64, false).toDoubleArray();
            int n = (int) dim;
            int rows = n == 0 ? 0 : values.length / n;
            long[] picked = new long[(int) (rows * k)];
            Integer[] order = new Integer[n];
            for (int r = 0; r < rows; r++) {
                int base = r * n;
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                Comparator<Integer> byValue = (p, q) -> Double.compare(values[base + p], values[base + q]);
                Arrays.sort(order, largest ? byValue.reversed() : byValue);
                for (int j = 0; j < k; j++) {
                    picked[(int) (r * k + j)] = order[j];
                }
            }
            long[] movedDims = moved.getShape().getShape().clone();
            movedDims[last] = k;
            NDArray indices = ctx.manager().create(picked, new Shape(movedDims));
            if (a != last) {
                indices = indices.swapAxes(a, last);
            }
            return new NDList(x.gather(indices, a), indices);
        };
    }
}
