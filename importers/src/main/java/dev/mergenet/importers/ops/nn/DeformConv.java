package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
import java.util.Arrays;

/**
 * DeformConv (N-D): every kernel element samples the input at its regular position plus a learned offset
 * (multi-linear interpolation, zero outside the input), optionally scaled by a mask; the sampled columns are
 * then contracted with the weights per group. Offsets list, per offset group and kernel element, one shift per
 * spatial axis. Differentiable in the input, weights, offsets, mask and bias.
 */
@OnnxOp(
        type = "DeformConv",
        since = {19, 22})
public final class DeformConv implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        WindowAttributes attrs = new WindowAttributes(node);
        int group = (int) node.attrs().getInt("group", 1);
        int offsetGroups = (int) node.attrs().getInt("offset_group", 1);
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray w = in.get(1);
            NDArray offset = in.get(2);
            int n = x.getShape().dimension() - 2;
            long batch = x.getShape().get(0);
            long channels = x.getShape().get(1);
            long outChannels = w.getShape().get(0);
            if (n < 1
                    || w.getShape().dimension() != n + 2
                    || channels != w.getShape().get(1) * group
                    || channels % offsetGroups != 0
                    || outChannels % group != 0) {
                throw new OnnxFormatException(owner + ": input " + x.getShape() + ", weight " + w.getShape()
                        + ", group " + group + " and offset_group " + offsetGroups + " do not agree");
            }
            long[] size = SpatialPadding.spatial(x.getShape(), n);
            long[] kernel = SpatialPadding.spatial(w.getShape(), n);
            WindowAttributes.Window win = attrs.resolve(size, kernel);
            checkCost(owner, x, w, win, 1 << n);
            long k = 1;
            for (long v : kernel) {
                k *= v;
            }
            long points = 1;
            for (long v : win.out()) {
                points *= v;
            }
            if (offset.getShape().size() != batch * offsetGroups * k * n * points) {
                throw new OnnxFormatException(owner + ": offset " + offset.getShape() + " must be (N, "
                        + offsetGroups * k * n + ", output...) for " + n + "-D windows");
            }
            NDArray shifts = offset.reshape(new Shape(batch, offsetGroups, k, n, points));
            long[] strides = new long[n];
            long total = 1;
            for (int i = n - 1; i >= 0; i--) {
                strides[i] = total;
                total *= size[i];
            }
            NDArray index = null;
            NDArray weight = null;
            NDArray sampled = null;
            NDArray maps = x.reshape(new Shape(batch, offsetGroups, channels / offsetGroups, total));
            Shape tapShape = new Shape(batch, offsetGroups, 1, k * points);
            Shape gatherShape = new Shape(batch, offsetGroups, channels / offsetGroups, k * points);
            for (int corner = 0; corner < (1 << n); corner++) {
                index = null;
                weight = null;
                for (int i = 0; i < n; i++) {
                    NDArray p = regular(ctx.manager(), win, kernel, i, x.getDataType())
                            .add(shifts.get(new NDIndex(":, :, :, {}", i)));
                    NDArray lo = p.floor();
                    boolean high = ((corner >> i) & 1) == 1;
                    NDArray at = high ? lo.add(1) : lo;
                    NDArray frac = p.sub(lo);
                    NDArray wt = high ? frac : frac.neg().add(1);
                    NDArray inside = at.gte(0).logicalAnd(at.lte(size[i] - 1));
                    wt = NDArrays.where(inside, wt, wt.zerosLike());
                    NDArray part = ScalarMath.mul(at.clip(0, size[i] - 1).toType(DataType.INT64, false), strides[i]);
                    index = index == null ? part : index.add(part);
                    weight = weight == null ? wt : weight.mul(wt);
                }
                NDArray values = maps.gather(index.reshape(tapShape).broadcast(gatherShape), 3)
                        .mul(weight.reshape(tapShape));
                sampled = sampled == null ? values : sampled.add(values);
            }
            if (in.has(4)) {
                sampled = sampled.mul(in.get(4).reshape(tapShape));
            }
            // (N, C, K, P) columns, contracted per group with the (oC/g, C/g*K) weights.
            NDArray columns = sampled.reshape(new Shape(batch, group, channels / group * k, points));
            NDArray kernels = w.reshape(new Shape(1, group, outChannels / group, channels / group * k));
            NDArray y = kernels.matMul(columns);
            long[] outShape = new long[n + 2];
            outShape[0] = batch;
            outShape[1] = outChannels;
            System.arraycopy(win.out(), 0, outShape, 2, n);
            y = y.reshape(new Shape(outShape));
            if (in.has(3)) {
                long[] view = new long[n + 2];
                Arrays.fill(view, 1);
                view[1] = outChannels;
                y = y.add(in.get(3).reshape(new Shape(view)));
            }
            return new NDList(y);
        };
    }

    /**
     * Refuses a DeformConv whose sampled columns (N, C, kernel elements, output points), sampling grid, output or
     * work (the contraction plus {@code corners} interpolation taps per column element) are over budget.
     */
    private static void checkCost(String owner, NDArray x, NDArray w, WindowAttributes.Window win, int corners) {
        int n = win.rank();
        long[] out = new long[n + 2];
        out[0] = x.getShape().get(0);
        out[1] = w.getShape().get(0);
        System.arraycopy(win.out(), 0, out, 2, n);
        long k = ShapeMath.elements(win.kernel(), owner + ": kernel");
        long points = ShapeMath.elements(win.out(), owner + ": output");
        long[] columns = {x.getShape().get(0), x.getShape().get(1), k, points};
        long[] perOutput =
                Arrays.copyOfRange(w.getShape().getShape(), 1, w.getShape().dimension());
        java.util.function.Supplier<String> what = () -> owner + ": input " + x.getShape() + ", weight " + w.getShape()
                + ", output " + java.util.Arrays.toString(out);
        OpCost.of(what)
                .tensor("sampling grid", new long[] {k, points}, Double.BYTES)
                .tensor("sampled columns", columns, x.getDataType())
                .tensor("output", out, x.getDataType())
                .work(columns, corners)
                .work(out, ShapeMath.elements(perOutput, what));
    }

    /** Axis i's regular sampling position, o * stride - pad + j * dilation, as a (1, 1, K, P) array. */
    private static NDArray regular(NDManager m, WindowAttributes.Window win, long[] kernel, int axis, DataType type) {
        int n = kernel.length;
        long k = 1;
        for (long v : kernel) {
            k *= v;
        }
        long points = 1;
        for (long v : win.out()) {
            points *= v;
        }
        double[] pos = new double[(int) (k * points)];
        for (int e = 0; e < k; e++) {
            long rest = e;
            long offsetAlong = 0;
            for (int i = n - 1; i >= 0; i--) {
                long j = rest % kernel[i];
                rest /= kernel[i];
                if (i == axis) {
                    offsetAlong = j;
                }
            }
            for (int p = 0; p < points; p++) {
                long r = p;
                long o = 0;
                for (int i = n - 1; i >= 0; i--) {
                    long v = r % win.out()[i];
                    r /= win.out()[i];
                    if (i == axis) {
                        o = v;
                    }
                }
                pos[(int) (e * points + p)] =
                        o * win.strides()[axis] - win.padBegin()[axis] + offsetAlong * win.dilations()[axis];
            }
        }
        return m.create(pos, new Shape(1, 1, k, points)).toType(type, false);
    }
}
