package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * Pad: pads [x1_begin, x2_begin, ..., x1_end, x2_end, ...] (attribute 'paddings' in opset 1, 'pads' in 2,
 * inputs from 11, optional axes from 18); negative pads crop. Constant mode is torch's constant pad; edge,
 * reflect and wrap select source positions per axis with a gather, so all modes pass gradients to the data.
 */
@OnnxOp(
        type = "Pad",
        since = {1, 2, 11, 13, 18, 19, 21})
public final class Pad implements OpConverter {
    private enum Mode {
        CONSTANT,
        REFLECT,
        EDGE,
        WRAP
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        int version = node.sinceVersion();
        String modeName = node.attrs().getString("mode", "constant");
        Mode mode = switch (modeName) {
            case "constant" -> Mode.CONSTANT;
            case "reflect" -> Mode.REFLECT;
            case "edge" -> Mode.EDGE;
            case "wrap" -> Mode.WRAP;
            default -> throw new MergeNetException(node.describe() + ": unknown mode '" + modeName + "'");
        };
        if (mode == Mode.WRAP && version < 19) {
            throw new MergeNetException(node.describe() + ": mode 'wrap' needs opset 19");
        }
        long[] attrPads = version < 11 ? node.attrs().getInts(version < 2 ? "paddings" : "pads", null) : null;
        if (version < 11 && attrPads == null) {
            throw new MergeNetException(node.describe() + ": the pads attribute is missing");
        }
        double attrValue = node.attrs().getFloat("value", 0f);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            long[] pads = attrPads != null ? attrPads : in.longs(1);
            double value = attrPads != null ? attrValue : constant(in);
            long[] full = fullPads(pads, version >= 18 && in.has(3) ? in.longs(3) : null, rank, node);
            long[] out = x.getShape().getShape().clone();
            String what = node.describe() + ": output for pads "
                    + (attrPads != null
                            ? "attribute"
                            : "input '" + node.inputs().get(1) + "'");
            for (int i = 0; i < rank; i++) {
                out[i] = Math.max(0, ShapeMath.add(ShapeMath.add(out[i], full[i], what), full[rank + i], what));
            }
            OpCost.of(() -> what + ": input " + x.getShape() + ", pads " + java.util.Arrays.toString(full))
                    .tensor("output", out, x.getDataType())
                    .work(out, 1);
            return new NDList(
                    mode == Mode.CONSTANT ? constantPad(x, full, value) : indexPad(x, full, mode, ctx.manager(), node));
        };
    }

    private static double constant(OpInputs in) {
        NDArray v = in.optional(2);
        // an empty constant_value is taken as absent (0), as ONNX Runtime does; more than one value is an error
        return v == null || v.getShape().size() == 0 ? 0 : in.scalarDouble(2);
    }

    /** Begin/end pads for every axis: [b0..b(r-1), e0..e(r-1)]. */
    private static long[] fullPads(long[] pads, long[] axes, int rank, OnnxNode node) {
        int n = axes == null ? rank : axes.length;
        if (pads.length != 2 * n) {
            throw new MergeNetException(node.describe() + ": pads " + Arrays.toString(pads) + " need " + 2 * n
                    + " values for rank " + rank);
        }
        int[] ax = new int[n];
        for (int i = 0; i < n; i++) {
            ax[i] = axes == null ? i : Axes.normalize(axes[i], rank, node, "axis");
        }
        long[] full = new long[2 * rank];
        for (int i = 0; i < n; i++) {
            full[ax[i]] = pads[i];
            full[rank + ax[i]] = pads[n + i];
        }
        return full;
    }

    /** Constant padding by [b0..b(r-1), e0..e(r-1)]; negative entries crop. */
    static NDArray constantPad(NDArray x, long[] full, double value) {
        int rank = x.getShape().dimension();
        NDArray y = crop(x, full);
        if (Arrays.stream(full).noneMatch(p -> p > 0)) {
            return y == x ? x.reshape(x.getShape()) : y;
        }
        // torch lists (begin, end) pairs from the last axis backwards
        long[] torchPads = new long[2 * rank];
        for (int i = 0; i < rank; i++) {
            torchPads[2 * i] = Math.max(0, full[rank - 1 - i]);
            torchPads[2 * i + 1] = Math.max(0, full[2 * rank - 1 - i]);
        }
        return y.pad(new Shape(torchPads), value);
    }

    /**
     * Applies the negative pads as a crop (a view). Cropping comes before padding, as in ONNX Runtime, so edge,
     * reflect and wrap read the cropped tensor.
     */
    private static NDArray crop(NDArray x, long[] full) {
        if (Arrays.stream(full).noneMatch(p -> p < 0)) {
            return x;
        }
        int rank = x.getShape().dimension();
        long[] dims = x.getShape().getShape();
        NDIndex window = new NDIndex();
        for (int a = 0; a < rank; a++) {
            long lo = Math.min(dims[a], Math.max(0, -full[a]));
            window.addSliceDim(lo, Math.max(lo, dims[a] - Math.max(0, -full[rank + a])));
        }
        return x.get(window);
    }

    private static NDArray indexPad(NDArray x, long[] full, Mode mode, NDManager manager, OnnxNode node) {
        NDArray cropped = crop(x, full);
        long[] dims = cropped.getShape().getShape();
        int rank = dims.length;
        NDArray y = cropped;
        for (int a = 0; a < rank; a++) {
            long begin = Math.max(0, full[a]);
            long end = Math.max(0, full[rank + a]);
            if (begin == 0 && end == 0) {
                continue;
            }
            long d = dims[a];
            long size = d + begin + end;
            if (d == 0) {
                throw new MergeNetException(
                        node.describe() + ": cannot " + mode.name().toLowerCase() + "-pad axis " + a + " of size " + d
                                + " by (" + full[a] + ", " + full[rank + a] + ")");
            }
            long[] src = new long[(int) size];
            for (int i = 0; i < size; i++) {
                src[i] = source(i - begin, d, mode);
            }
            y = AlongAxis.take(y, src, a, manager);
        }
        return y == x ? x.reshape(x.getShape()) : y;
    }

    /** The input position that output position {@code p} (in input coordinates) copies. */
    private static long source(long p, long d, Mode mode) {
        switch (mode) {
            case EDGE:
                return Math.max(0, Math.min(d - 1, p));
            case WRAP:
                return Math.floorMod(p, d);
            default:
                long period = 2 * (d - 1);
                if (period == 0) {
                    return 0; // numpy repeats a single element
                }
                long m = Math.floorMod(p, period);
                return m < d ? m : period - m;
        }
    }
}
