package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GridSample: samples X (N, C, D1..Dr) at the normalized points of grid (N, O1..Or, r), whose last axis lists
 * coordinates from the last spatial axis backwards. Each spatial axis contributes taps (index and weight):
 * one for nearest, two for (bi)linear, four for bicubic; their products are gathered from the flattened input.
 * Gradients reach both X and the grid (through the weights).
 */
@OnnxOp(
        type = "GridSample",
        since = {16, 20, 22})
public final class GridSample implements OpConverter {
    private static final double CUBIC_A = -0.75;

    private enum Mode {
        NEAREST,
        LINEAR,
        CUBIC
    }

    private enum Padding {
        ZEROS,
        BORDER,
        REFLECTION
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        String owner = node.describe();
        Mode mode = switch (node.attrs().getString("mode", node.sinceVersion() >= 20 ? "linear" : "bilinear")) {
            case "nearest" -> Mode.NEAREST;
            case "bilinear", "linear" -> Mode.LINEAR;
            case "bicubic", "cubic" -> Mode.CUBIC;
            default ->
                throw new OnnxFormatException(
                        owner + ": unknown mode '" + node.attrs().getString("mode", "") + "'");
        };
        Padding padding = switch (node.attrs().getString("padding_mode", "zeros")) {
            case "zeros" -> Padding.ZEROS;
            case "border" -> Padding.BORDER;
            case "reflection" -> Padding.REFLECTION;
            default ->
                throw new OnnxFormatException(
                        owner + ": unknown padding_mode '" + node.attrs().getString("padding_mode", "") + "'");
        };
        boolean alignCorners = node.attrs().getInt("align_corners", 0) != 0;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray grid = in.get(1).toType(x.getDataType(), false);
            int r = x.getShape().dimension() - 2;
            if (r < 1 || grid.getShape().dimension() != r + 2 || grid.getShape().get(r + 1) != r) {
                throw new OnnxFormatException(
                        owner + ": grid " + grid.getShape() + " does not fit input " + x.getShape());
            }
            if (mode == Mode.CUBIC && r != 2) {
                throw new OnnxFormatException(owner + ": cubic mode needs a 4-D input, got " + x.getShape());
            }
            long n = x.getShape().get(0);
            long c = x.getShape().get(1);
            if (grid.getShape().get(0) != n) {
                throw new OnnxFormatException(
                        owner + ": grid " + grid.getShape() + " has a batch other than input " + x.getShape() + "'s");
            }
            long[] size = SpatialPadding.spatial(x.getShape(), r);
            long points = ShapeMath.elements(grid.getShape().slice(1, r + 1).getShape(), owner + ": grid");
            // every combination of taps (2 per axis linear, 4 cubic) gathers, weighs and adds an (N, C, points) term
            long tapCombos = Math.round(Math.pow(mode == Mode.NEAREST ? 1 : mode == Mode.LINEAR ? 2 : 4, r));
            long[] out = {n, c, points};
            OpCost.of(() -> owner + ": input " + x.getShape() + ", grid " + grid.getShape() + ", output "
                            + Arrays.toString(out))
                    .tensor("output", out, x.getDataType())
                    .tensor("gathered terms (one per tap combination)", OpCost.times(tapCombos, out), x.getDataType())
                    .work(out, tapCombos, 4 * tapCombos);
            List<List<Tap>> perAxis = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                NDArray coord = grid.get(new NDIndex("..., {}", r - 1 - i)).reshape(new Shape(n, points));
                perAxis.add(taps(unnormalize(coord, size[i], alignCorners), size[i], mode, padding, alignCorners));
            }
            long[] strides = new long[r];
            long acc = 1;
            for (int i = r - 1; i >= 0; i--) {
                strides[i] = acc;
                acc *= size[i];
            }
            NDArray flat = x.reshape(new Shape(n, c, acc));
            NDArray sum = null;
            int combos = 1;
            for (List<Tap> t : perAxis) {
                combos *= t.size();
            }
            for (int k = 0; k < combos; k++) {
                int rest = k;
                NDArray index = null;
                NDArray weight = null;
                for (int i = r - 1; i >= 0; i--) {
                    Tap tap = perAxis.get(i).get(rest % perAxis.get(i).size());
                    rest /= perAxis.get(i).size();
                    NDArray part = ScalarMath.mul(tap.index(), strides[i]);
                    index = index == null ? part : index.add(part);
                    weight = weight == null ? tap.weight() : weight.mul(tap.weight());
                }
                NDArray gathered = flat.gather(index.expandDims(1).broadcast(new Shape(n, c, points)), 2);
                NDArray term = gathered.mul(weight.expandDims(1));
                sum = sum == null ? term : sum.add(term);
            }
            long[] outShape = new long[r + 2];
            outShape[0] = n;
            outShape[1] = c;
            for (int i = 0; i < r; i++) {
                outShape[2 + i] = grid.getShape().get(1 + i);
            }
            return new NDList(sum.reshape(new Shape(outShape)));
        };
    }

    /** A sampled input index along one axis (clamped into range) and its weight (zero when out of range). */
    private record Tap(NDArray index, NDArray weight) {}

    private static NDArray unnormalize(NDArray g, long size, boolean alignCorners) {
        return alignCorners
                ? ScalarMath.mul(ScalarMath.div(g.add(1), 2), size - 1)
                : ScalarMath.div(ScalarMath.mul(g.add(1), size).sub(1), 2);
    }

    private static List<Tap> taps(NDArray coord, long size, Mode mode, Padding padding, boolean alignCorners) {
        List<Tap> taps = new ArrayList<>();
        switch (mode) {
            case NEAREST -> {
                NDArray p = pad(coord, size, padding, alignCorners).round();
                taps.add(tap(p, p.onesLike(), size));
            }
            case LINEAR -> {
                NDArray p = pad(coord, size, padding, alignCorners);
                NDArray lo = p.floor();
                NDArray frac = p.sub(lo);
                taps.add(tap(lo, frac.neg().add(1), size));
                taps.add(tap(lo.add(1), frac, size));
            }
            case CUBIC -> {
                NDArray lo = coord.floor();
                NDArray t = coord.sub(lo);
                NDArray[] w = cubicWeights(t);
                for (int k = 0; k < 4; k++) {
                    NDArray at = lo.add(k - 1);
                    // Cubic taps are bounded one by one, so border and reflection move each tap inside.
                    taps.add(tap(padding == Padding.ZEROS ? at : pad(at, size, padding, alignCorners), w[k], size));
                }
            }
            default -> throw new IllegalStateException();
        }
        return taps;
    }

    private static Tap tap(NDArray position, NDArray weight, long size) {
        NDArray inside = position.gte(0).logicalAnd(position.lte(size - 1));
        NDArray masked = NDArrays.where(inside, weight, weight.zerosLike());
        NDArray index = position.clip(0, size - 1).toType(DataType.INT64, false);
        return new Tap(index, masked);
    }

    /** Applies border or reflection padding to a source coordinate (zeros leaves it, taps are masked later). */
    private static NDArray pad(NDArray p, long size, Padding padding, boolean alignCorners) {
        switch (padding) {
            case BORDER:
                return p.clip(0, size - 1);
            case REFLECTION: {
                NDArray reflected = alignCorners ? reflect(p, 0, 2 * (size - 1)) : reflect(p, -1, 2 * size - 1);
                return reflected.clip(0, size - 1);
            }
            default:
                return p;
        }
    }

    /** Reflects p into [twiceLow / 2, twiceHigh / 2] by folding it back and forth. */
    private static NDArray reflect(NDArray p, long twiceLow, long twiceHigh) {
        if (twiceLow == twiceHigh) {
            return p.zerosLike();
        }
        double min = twiceLow / 2.0;
        double span = (twiceHigh - twiceLow) / 2.0;
        NDArray d = p.sub(min).abs();
        NDArray flips = ScalarMath.div(d, span).floor();
        NDArray extra = d.sub(ScalarMath.mul(flips, span));
        NDArray even =
                flips.sub(ScalarMath.mul(ScalarMath.div(flips, 2).floor(), 2)).eq(0);
        return NDArrays.where(even, extra.add(min), extra.neg().add(span + min));
    }

    /** Cubic convolution weights (A = -0.75) for taps at -1, 0, 1, 2 from floor(p), given t = p - floor(p). */
    private static NDArray[] cubicWeights(NDArray t) {
        NDArray x0 = t.add(1);
        NDArray x1 = t;
        NDArray x2 = t.neg().add(1);
        NDArray x3 = t.neg().add(2);
        return new NDArray[] {farWeight(x0), nearWeight(x1), nearWeight(x2), farWeight(x3)};
    }

    private static NDArray nearWeight(NDArray x) {
        return ScalarMath.mul(x, CUBIC_A + 2).sub(CUBIC_A + 3).mul(x).mul(x).add(1);
    }

    private static NDArray farWeight(NDArray x) {
        return ScalarMath.mul(x, CUBIC_A)
                .sub(5 * CUBIC_A)
                .mul(x)
                .add(8 * CUBIC_A)
                .mul(x)
                .sub(4 * CUBIC_A);
    }
}
