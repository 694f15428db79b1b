package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Slice: starts/ends/axes as attributes (opset 1) or inputs with optional steps (opset 10+). Bounds are clamped
 * as the spec says; a negative step is taken as the mirrored positive slice, then flipped (torch has no
 * negative strides), which keeps the result a differentiable view of the input.
 */
@OnnxOp(
        type = "Slice",
        since = {1, 10, 11, 13})
public final class Slice implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean fromInputs = node.sinceVersion() >= 10;
        long[] attrStarts = fromInputs ? null : node.attrs().getInts("starts", null);
        long[] attrEnds = fromInputs ? null : node.attrs().getInts("ends", null);
        long[] attrAxes = fromInputs ? null : node.attrs().getInts("axes", null);
        if (!fromInputs && (attrStarts == null || attrEnds == null)) {
            throw new MergeNetException(node.describe() + ": the 'starts' and 'ends' attributes are required");
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] starts = fromInputs ? in.longs(1) : attrStarts;
            long[] ends = fromInputs ? in.longs(2) : attrEnds;
            long[] axes = fromInputs ? (in.has(3) ? in.longs(3) : null) : attrAxes;
            long[] steps = fromInputs && in.has(4) ? in.longs(4) : null;
            return new NDList(slice(x, starts, ends, axes, steps, node));
        };
    }

    static NDArray slice(NDArray x, long[] starts, long[] ends, long[] axes, long[] steps, OnnxNode node) {
        long[] dims = x.getShape().getShape();
        int rank = dims.length;
        if (starts.length != ends.length
                || (axes != null && axes.length != starts.length)
                || (steps != null && steps.length != starts.length)) {
            throw new MergeNetException(node.describe() + ": starts " + Arrays.toString(starts) + ", ends "
                    + Arrays.toString(ends) + ", axes " + Arrays.toString(axes) + " and steps " + Arrays.toString(steps)
                    + " differ in length");
        }
        long[] lo = new long[rank];
        long[] hi = dims.clone();
        long[] step = new long[rank];
        Arrays.fill(step, 1);
        boolean[] flip = new boolean[rank];
        int[] ax = axes == null ? null : Axes.normalizeAll(axes, rank, node, "axis");
        for (int i = 0; i < starts.length; i++) {
            int a = ax == null ? i : ax[i];
            if (a >= rank) {
                throw new MergeNetException(node.describe() + ": " + starts.length + " starts for rank " + rank);
            }
            long s = steps == null ? 1 : steps[i];
            if (s == 0) {
                throw new MergeNetException(node.describe() + ": step 0 on axis " + a);
            }
            long d = dims[a];
            long b = starts[i] < 0 ? starts[i] + d : starts[i];
            long e = ends[i] < 0 ? ends[i] + d : ends[i];
            if (s > 0) {
                b = clamp(b, 0, d);
                e = clamp(e, 0, d);
                lo[a] = b;
                hi[a] = Math.max(b, e);
                step[a] = s;
            } else {
                b = clamp(b, 0, d - 1);
                e = clamp(e, -1, d - 1);
                long count = b > e ? (b - e + (-s) - 1) / (-s) : 0;
                long first = b - (count - 1) * (-s);
                lo[a] = count == 0 ? 0 : first;
                hi[a] = count == 0 ? 0 : b + 1;
                step[a] = -s;
                flip[a] = count > 1;
            }
        }
        NDIndex index = new NDIndex();
        for (int a = 0; a < rank; a++) {
            index.addSliceDim(lo[a], hi[a], step[a]);
        }
        NDArray y = rank == 0 ? x.reshape(x.getShape()) : x.get(index);
        List<Integer> flipped = new ArrayList<>();
        for (int a = 0; a < rank; a++) {
            if (flip[a]) {
                flipped.add(a);
            }
        }
        return flipped.isEmpty()
                ? y
                : y.flip(flipped.stream().mapToInt(Integer::intValue).toArray());
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
