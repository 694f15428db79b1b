package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * Split: parts along 'axis' with sizes from the 'split' attribute (opset 1-12; opset 1 also took it as input 1),
 * the 'split' input (opset 13), or equal parts: one per output, or 'num_outputs' (opset 18, last part smaller).
 */
@OnnxOp(
        type = "Split",
        since = {1, 2, 11, 13, 18})
public final class Split implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().getInt("axis", 0);
        int version = node.sinceVersion();
        long[] attrSplit = version < 13 ? node.attrs().getInts("split", null) : null;
        int outputs = node.outputs().size();
        if (version >= 18 && node.attrs().has("num_outputs") && node.attrs().getInt("num_outputs", 0) != outputs) {
            throw new MergeNetException(node.describe() + ": num_outputs "
                    + node.attrs().getInt("num_outputs", 0) + " differs from the node's " + outputs + " outputs");
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            int a = Axes.normalize(axis, rank, node, "axis");
            long dim = x.getShape().get(a);
            long[] sizes = attrSplit;
            // an empty 'split' tensor means "not given" (some exporters write one instead of omitting it)
            if (sizes == null
                    && (version >= 13 || version == 1)
                    && in.has(1)
                    && in.get(1).getShape().size() > 0) {
                sizes = in.longs(1);
            }
            if (sizes == null) {
                sizes = equalParts(dim, outputs, version >= 18, node);
            }
            if (sizes.length != outputs
                    || Arrays.stream(sizes).sum() != dim
                    || Arrays.stream(sizes).anyMatch(s -> s < 0)) {
                throw new MergeNetException(node.describe() + ": split " + Arrays.toString(sizes)
                        + " does not divide dim " + dim + " of axis " + a + " into " + outputs + " outputs");
            }
            NDList out = new NDList(outputs);
            long start = 0;
            for (long s : sizes) {
                NDIndex index = new NDIndex();
                for (int i = 0; i < a; i++) {
                    index.addAllDim();
                }
                index.addSliceDim(start, start + s);
                out.add(x.get(index));
                start += s;
            }
            return out;
        };
    }

    private static long[] equalParts(long dim, int n, boolean unevenAllowed, OnnxNode node) {
        long part = unevenAllowed ? (dim + n - 1) / n : dim / n;
        if (!unevenAllowed && dim % n != 0) {
            throw new MergeNetException(
                    node.describe() + ": dim " + dim + " does not split evenly into " + n + " outputs");
        }
        long[] sizes = new long[n];
        long left = dim;
        for (int i = 0; i < n; i++) {
            sizes[i] = Math.min(part, left);
            left -= sizes[i];
        }
        return sizes;
    }
}
