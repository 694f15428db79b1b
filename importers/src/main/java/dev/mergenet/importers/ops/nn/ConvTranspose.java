package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * ConvTranspose as the equivalent direct convolution (the engine has no transposed convolution): zeros are
 * inserted between input elements (stride), the kernel is flipped with in/out channels swapped per group, and
 * the border is padded by dilation*(k-1) minus the op's pads (plus output_padding at the end).
 */
@OnnxOp(
        type = "ConvTranspose",
        since = {1, 11, 22})
public final class ConvTranspose implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        WindowAttributes attrs = new WindowAttributes(node);
        int group = (int) node.attrs().getInt("group", 1);
        long[] outputPadding = node.attrs().getInts("output_padding", null);
        long[] outputShape = node.attrs().getInts("output_shape", null);
        long[] strides = node.attrs().getInts("strides", null);
        long[] dilations = node.attrs().getInts("dilations", null);
        long[] pads = node.attrs().getInts("pads", null);
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray w = in.get(1);
            int n = x.getShape().dimension() - 2;
            if (n < 1
                    || w.getShape().dimension() != n + 2
                    || w.getShape().get(0) != x.getShape().get(1)) {
                throw new OnnxFormatException(owner + ": input " + x.getShape() + " and weight " + w.getShape()
                        + " must be (N, C, spatial...) and (C, M/group, kernel...)");
            }
            if (group < 1 || x.getShape().get(1) % group != 0) {
                throw new OnnxFormatException(owner + ": group " + group + " does not divide the "
                        + x.getShape().get(1) + " input channels of " + x.getShape());
            }
            long[] inSize = SpatialPadding.spatial(x.getShape(), n);
            long[] k = SpatialPadding.spatial(w.getShape(), n);
            long[] s = valuesOr(strides, n, 1, owner, "strides");
            long[] d = valuesOr(dilations, n, 1, owner, "dilations");
            long[] op = valuesOr(outputPadding, n, 0, owner, "output_padding");
            long[] begin = new long[n];
            long[] end = new long[n];
            checkStridesAndDilations(owner, s, d);
            if (outputShape != null && outputShape.length < n) {
                throw new OnnxFormatException(owner + ": output_shape " + Arrays.toString(outputShape)
                        + " has fewer than " + n + " spatial sizes");
            }
            for (int i = 0; i < n; i++) {
                long full = ShapeMath.add(
                        ShapeMath.add(
                                ShapeMath.multiply(s[i], Math.max(inSize[i] - 1, 0), owner, inSize), op[i], owner),
                        ShapeMath.add(ShapeMath.multiply(Math.max(k[i] - 1, 0), d[i], owner, k), 1, owner),
                        owner);
                long target;
                if (outputShape != null) {
                    target = outputShape[outputShape.length - n + i];
                } else if (attrs.autoPad() == WindowAttributes.AutoPad.SAME_UPPER
                        || attrs.autoPad() == WindowAttributes.AutoPad.SAME_LOWER) {
                    target = ShapeMath.multiply(inSize[i], s[i], owner, inSize);
                } else {
                    if (attrs.autoPad() == WindowAttributes.AutoPad.NOTSET && pads != null) {
                        if (pads.length != 2 * n) {
                            throw new OnnxFormatException(
                                    owner + ": pads has " + pads.length + " values, expected " + 2 * n);
                        }
                        begin[i] = pads[i];
                        end[i] = pads[i + n];
                    }
                    continue;
                }
                // Floor division as the spec's reference: a negative total adds outputs at the end.
                long total = full - target;
                if (attrs.autoPad() == WindowAttributes.AutoPad.SAME_UPPER) {
                    begin[i] = Math.floorDiv(total, 2);
                    end[i] = total - begin[i];
                } else {
                    end[i] = Math.floorDiv(total, 2);
                    begin[i] = total - end[i];
                }
            }
            checkSize(owner, x, w, s, d, begin, end, op, group, outputShape != null);
            return new NDList(transposedConvolution(x, w, in.optional(2), s, d, begin, end, op, group));
        };
    }

    /** Refuses strides, dilations and pads whose zero-spread input or output would exceed the memory budget. */
    /**
     * Refuses an output size below 1 (from output_shape, output_padding or pads) and strides, dilations and pads
     * whose zero-spread input or output would exceed the memory budget or the work budget.
     */
    static void checkSize(
            String owner,
            NDArray x,
            NDArray w,
            long[] s,
            long[] d,
            long[] begin,
            long[] end,
            long[] op,
            int group,
            boolean fromOutputShape) {
        int n = s.length;
        checkStridesAndDilations(owner, s, d);
        long[] spread = x.getShape().getShape().clone();
        long[] out = x.getShape().getShape().clone();
        out[1] = ShapeMath.multiply(
                w.getShape().get(1), Math.max(group, 1), owner, w.getShape().getShape());
        for (int i = 0; i < n; i++) {
            long in = spread[2 + i];
            long k = w.getShape().get(2 + i);
            spread[2 + i] = ShapeMath.add(ShapeMath.multiply(Math.max(in - 1, 0), s[i], owner, spread), 1, owner);
            long span = ShapeMath.add(ShapeMath.multiply(Math.max(k - 1, 0), d[i], owner, out), op[i], owner);
            long size = ShapeMath.add(spread[2 + i], span, owner);
            out[2 + i] = ShapeMath.add(size, -ShapeMath.add(begin[i], end[i], owner), owner);
            if (out[2 + i] < 1 && in > 0) {
                throw new OnnxFormatException(owner + ": output size " + out[2 + i] + " along spatial axis " + i
                        + " is below 1 for input " + x.getShape() + " and weight " + w.getShape() + " ("
                        + (fromOutputShape ? "output_shape" : "pads " + begin[i] + ", " + end[i]) + ", output_padding "
                        + op[i] + ")");
            }
            out[2 + i] = Math.max(0, out[2 + i]);
        }
        // the work of the direct convolution it runs: every output sums (C/group) x kernel products
        long[] kernel =
                Arrays.copyOfRange(w.getShape().getShape(), 2, w.getShape().dimension());
        long perOutput = ShapeMath.multiply(
                w.getShape().get(0) / Math.max(group, 1),
                ShapeMath.elements(kernel, owner + ": weight"),
                owner,
                w.getShape().getShape());
        OpCost.of(() -> owner + ": input " + x.getShape() + ", weight " + w.getShape() + ", output "
                        + Arrays.toString(out))
                .tensor("input spread by strides", spread, x.getDataType())
                .tensor("output", out, x.getDataType())
                .work(out, perOutput);
    }

    private static void checkStridesAndDilations(String owner, long[] s, long[] d) {
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 1 || d[i] < 1) {
                throw new OnnxFormatException(owner + ": strides " + Arrays.toString(s) + " and dilations "
                        + Arrays.toString(d) + " must be at least 1");
            }
        }
    }

    static NDArray transposedConvolution(
            NDArray x,
            NDArray w,
            NDArray bias,
            long[] s,
            long[] d,
            long[] begin,
            long[] end,
            long[] outputPadding,
            int group) {
        int n = s.length;
        for (int i = 0; i < n; i++) {
            x = spreadAxis(x, 2 + i, s[i]);
        }
        long[] k = SpatialPadding.spatial(w.getShape(), n);
        long c = w.getShape().get(0);
        long mPerGroup = w.getShape().get(1);
        long[] grouped = new long[n + 3];
        grouped[0] = group;
        grouped[1] = c / group;
        grouped[2] = mPerGroup;
        System.arraycopy(k, 0, grouped, 3, n);
        int[] swap = new int[n + 3];
        swap[0] = 0;
        swap[1] = 2;
        swap[2] = 1;
        for (int i = 3; i < n + 3; i++) {
            swap[i] = i;
        }
        long[] direct = new long[n + 2];
        direct[0] = group * mPerGroup;
        direct[1] = c / group;
        System.arraycopy(k, 0, direct, 2, n);
        int[] spatialAxes = new int[n];
        for (int i = 0; i < n; i++) {
            spatialAxes[i] = 2 + i;
        }
        NDArray wd = w.reshape(new Shape(grouped))
                .transpose(swap)
                .reshape(new Shape(direct))
                .flip(spatialAxes);
        long[] pb = new long[n];
        long[] pe = new long[n];
        for (int i = 0; i < n; i++) {
            pb[i] = (k[i] - 1) * d[i] - begin[i];
            pe[i] = (k[i] - 1) * d[i] - end[i] + outputPadding[i];
        }
        NDArray padded = SpatialPadding.apply(x, pb, pe, 0);
        long[] ones = new long[n];
        Arrays.fill(ones, 1);
        return padded.getNDArrayInternal()
                .convolution(padded, wd, bias, new Shape(ones), new Shape(new long[n]), new Shape(d), group)
                .singletonOrThrow();
    }

    /** Inserts {@code stride - 1} zeros between neighbours along {@code axis}. */
    private static NDArray spreadAxis(NDArray x, int axis, long stride) {
        if (stride == 1) {
            return x;
        }
        Shape shape = x.getShape();
        int rank = shape.dimension();
        NDArray e = x.expandDims(axis + 1);
        long[] widths = new long[2 * (rank + 1)];
        // Pad widths run from the last axis backwards; the new axis is axis + 1.
        widths[2 * (rank - axis - 1) + 1] = stride - 1;
        NDArray spread = e.pad(new Shape(widths), 0);
        long[] merged = shape.getShape().clone();
        merged[axis] = shape.get(axis) * stride;
        NDArray flat = spread.reshape(new Shape(merged));
        NDIndex index = new NDIndex();
        for (int a = 0; a < axis; a++) {
            index.addAllDim();
        }
        index.addSliceDim(0, (shape.get(axis) - 1) * stride + 1);
        return flat.get(index);
    }

    private static long[] valuesOr(long[] v, int n, long fill, String owner, String name) {
        if (v == null) {
            long[] out = new long[n];
            Arrays.fill(out, fill);
            return out;
        }
        if (v.length != n) {
            throw new OnnxFormatException(owner + ": " + name + " has " + v.length + " values, expected " + n);
        }
        return v;
    }
}
