package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * Resize (opset 10-19) and Upsample: nearest, linear and cubic resampling, separably per axis, with every
 * coordinate_transformation_mode and nearest_mode of the spec, scales or sizes, roi for tf_crop_and_resize,
 * exclude_outside, antialias, axes and keep_aspect_ratio_policy (opset 18). Opset-10 Resize and Upsample use
 * asymmetric coordinates with ONNX Runtime's truncating nearest rounding.
 */
@OnnxOp(
        type = "Resize",
        since = {10, 11, 13, 18, 19})
@OnnxOp(
        type = "Upsample",
        since = {1, 7, 9, 10})
public final class Resize implements OpConverter {
    private final boolean upsample;

    /** The converter for {@code opType}: Upsample or Resize. */
    public Resize(String opType) {
        if (!opType.equals("Upsample") && !opType.equals("Resize")) {
            throw new IllegalArgumentException("Resize does not implement " + opType);
        }
        this.upsample = opType.equals("Upsample");
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        int version = node.sinceVersion();
        boolean legacy = upsample || version < 11;
        String mode = node.attrs().getString("mode", "nearest");
        if (mode.equals("bilinear") || mode.equals("trilinear")) {
            mode = "linear";
        }
        if (!(mode.equals("nearest") || mode.equals("linear") || (mode.equals("cubic") && !legacy))) {
            throw new MergeNetException(node.describe() + ": unsupported mode '" + mode + "'");
        }
        String transform =
                legacy ? "asymmetric" : node.attrs().getString("coordinate_transformation_mode", "half_pixel");
        if (!Arrays.asList(
                                "half_pixel",
                                "half_pixel_symmetric",
                                "pytorch_half_pixel",
                                "align_corners",
                                "asymmetric",
                                "tf_half_pixel_for_nn",
                                "tf_crop_and_resize")
                        .contains(transform)
                || (transform.equals("half_pixel_symmetric") && version < 19)) {
            throw new MergeNetException(
                    node.describe() + ": unsupported coordinate_transformation_mode '" + transform + "'");
        }
        String nearest = legacy ? "simple" : node.attrs().getString("nearest_mode", "round_prefer_floor");
        if (!Arrays.asList("simple", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil")
                .contains(nearest)) {
            throw new MergeNetException(node.describe() + ": unsupported nearest_mode '" + nearest + "'");
        }
        AxisSampling.Settings settings = new AxisSampling.Settings(
                mode,
                transform,
                nearest,
                node.attrs().getFloat("cubic_coeff_a", -0.75f),
                node.attrs().getInt("exclude_outside", 0) != 0,
                node.attrs().getInt("antialias", 0) != 0,
                node.attrs().getFloat("extrapolation_value", 0f));
        long[] axesAttr = node.attrs().getInts("axes", null);
        String policy = node.attrs().getString("keep_aspect_ratio_policy", "stretch");
        if (!Arrays.asList("stretch", "not_larger", "not_smaller").contains(policy)) {
            throw new MergeNetException(node.describe() + ": unsupported keep_aspect_ratio_policy '" + policy + "'");
        }
        float[] attrScales =
                upsample && version >= 7 && version < 9 ? node.attrs().getFloats("scales", null) : null;
        float[] oldScales = upsample && version < 7
                ? new float[] {
                    1,
                    1,
                    node.attrs().getFloat("height_scale", 1f),
                    node.attrs().getFloat("width_scale", 1f)
                }
                : null;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] dims = x.getShape().getShape();
            int rank = dims.length;
            int[] axes = axesAttr == null ? identity(rank) : Axes.normalizeAll(axesAttr, rank, node, "axis");
            double[] scale = new double[rank];
            long[] out = dims.clone();
            Arrays.fill(scale, 1);
            double[] roi = null;
            float[] scales = attrScales != null
                    ? attrScales
                    : oldScales != null ? oldScales : legacy ? floats(in, 1) : floats(in, 2);
            long[] sizes = !legacy && present(in, 3) ? in.longs(3) : null;
            if (!legacy && present(in, 1) && transform.equals("tf_crop_and_resize")) {
                roi = in.get(1).toType(DataType.FLOAT64, false).toDoubleArray();
                check(roi.length == 2 * axes.length, node, "roi " + Arrays.toString(roi), 2 * axes.length);
            }
            if (sizes != null) {
                check(sizes.length == axes.length, node, "sizes " + Arrays.toString(sizes), axes.length);
                applySizes(dims, axes, sizes, policy, scale, out);
            } else if (scales != null) {
                check(scales.length == axes.length, node, "scales " + Arrays.toString(scales), axes.length);
                for (int i = 0; i < axes.length; i++) {
                    int a = axes[i];
                    scale[a] = scales[i];
                    if (scale[a] <= 0) {
                        throw new MergeNetException(node.describe() + ": scale " + scales[i] + " is not positive");
                    }
                    double crop = roi == null ? 1 : roi[axes.length + i] - roi[i];
                    out[a] = (long) Math.floor(dims[a] * crop * scale[a]);
                }
            } else {
                throw new MergeNetException(node.describe() + ": neither scales nor sizes given");
            }
            OpCost cost = OpCost.of(() -> node.describe() + ": input '"
                            + node.inputs().get(0) + "' " + x.getShape() + ", output " + Arrays.toString(out))
                    .tensor("output", out, x.getDataType());
            long[] step = dims.clone();
            for (int a : axes) {
                // each resampled axis builds an (input x output) weight matrix and contracts the tensor with it
                cost.tensor("resampling matrix of axis " + a, new long[] {dims[a], out[a]}, Double.BYTES);
                step[a] = out[a];
                cost.tensor("tensor resampled along axis " + a, step, x.getDataType())
                        .work(step, dims[a]);
            }
            DataType type = x.getDataType();
            boolean exact = !type.isFloating() && !settings.mode().equals("nearest");
            NDArray y = exact ? x.toType(DataType.FLOAT32, false) : x;
            boolean changed = false;
            for (int i = 0; i < axes.length; i++) {
                int a = axes[i];
                // an unscaled axis stays as it is (as in ONNX Runtime), even where a shifting transform such as
                // tf_half_pixel_for_nn with ceil rounding would otherwise move every element by one
                if (dims[a] == out[a] && scale[a] == 1 && !transform.equals("tf_crop_and_resize")) {
                    continue;
                }
                double lo = roi == null ? 0 : roi[i];
                double hi = roi == null ? 1 : roi[axes.length + i];
                AxisSampling sampling = AxisSampling.plan(settings, dims[a], out[a], scale[a], lo, hi);
                if (!sampling.isIdentity()) {
                    y = sampling.apply(y, a, settings.extrapolation(), ctx.manager());
                    changed = true;
                }
            }
            if (exact) {
                y = y.round().toType(type, false);
            }
            return new NDList(changed || exact ? y : x.reshape(x.getShape()));
        };
    }

    private static void applySizes(long[] dims, int[] axes, long[] sizes, String policy, double[] scale, long[] out) {
        if (policy.equals("stretch")) {
            for (int i = 0; i < axes.length; i++) {
                out[axes[i]] = sizes[i];
                scale[axes[i]] = (double) sizes[i] / dims[axes[i]];
            }
            return;
        }
        double s = policy.equals("not_larger") ? Double.MAX_VALUE : 0;
        for (int i = 0; i < axes.length; i++) {
            double r = (double) sizes[i] / dims[axes[i]];
            s = policy.equals("not_larger") ? Math.min(s, r) : Math.max(s, r);
        }
        for (int a : axes) {
            scale[a] = s;
            out[a] = (long) Math.floor(s * dims[a] + 0.5);
        }
    }

    private static boolean present(OpInputs in, int i) {
        return in.has(i) && in.get(i).getShape().size() > 0;
    }

    private static float[] floats(OpInputs in, int i) {
        return present(in, i) ? in.get(i).toType(DataType.FLOAT32, false).toFloatArray() : null;
    }

    private static int[] identity(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) {
            a[i] = i;
        }
        return a;
    }

    private static void check(boolean ok, OnnxNode node, String what, int expected) {
        if (!ok) {
            throw new MergeNetException(node.describe() + ": " + what + " must have " + expected + " entries");
        }
    }
}
