package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.importers.ndarray.ScalarMath;

/**
 * How Resize samples one axis: for every output position, a few source positions (clamped to the input, as
 * the reference's edge padding does) and their weights, worked out on the host from the sizes and attributes.
 * Applying it is a weighted sum of gathers along the axis, so it is differentiable in the data.
 */
final class AxisSampling {
    /** Resize's interpolation settings that do not depend on the input. */
    record Settings(
            String mode,
            String transform,
            String nearestMode,
            double cubicA,
            boolean excludeOutside,
            boolean antialias,
            double extrapolation) {}

    private final long[][] index;
    private final double[][] weight;
    private final boolean[] outside;
    private final long inSize;
    private final int outSize;

    private AxisSampling(long[][] index, double[][] weight, boolean[] outside, long inSize, int outSize) {
        this.index = index;
        this.weight = weight;
        this.outside = outside;
        this.inSize = inSize;
        this.outSize = outSize;
    }

    /**
     * Sampling for an axis of {@code in} positions resized to {@code out} with factor {@code scale};
     * {@code roiStart}/{@code roiEnd} only matter for tf_crop_and_resize.
     */
    static AxisSampling plan(Settings s, long in, long out, double scale, double roiStart, double roiEnd) {
        int n = Math.toIntExact(out);
        int taps = switch (s.mode()) {
            case "nearest" -> 1;
            case "linear" -> s.antialias() && scale < 1 ? 2 - 2 * (int) (Math.floor(-1 / scale) + 1) : 2;
            default -> s.antialias() && scale < 1 ? 2 - 2 * (int) (Math.floor(-2 / scale) + 1) : 4;
        };
        long[][] index = new long[taps][n];
        double[][] weight = new double[taps][n];
        boolean[] outside = new boolean[n];
        // the reference computes scale * length in float32; in double a scale such as 1.6f would leave 8.0000001
        double resizedLength = (float) (scale * in);
        for (int o = 0; o < n; o++) {
            double x = original(s, o, in, out, resizedLength, scale, roiStart, roiEnd);
            if (s.transform().equals("tf_crop_and_resize") && (x < 0 || x > in - 1)) {
                outside[o] = true;
                x = Math.max(0, Math.min(in - 1, x));
            }
            double base = Math.floor(x);
            double ratio = x - base;
            if (taps == 1) {
                index[0][o] = clamp((long) base + (nearestUp(s.nearestMode(), ratio, x, scale) ? 1 : 0), in);
                weight[0][o] = 1;
                continue;
            }
            int start = 1 - taps / 2;
            double sum = 0;
            for (int t = 0; t < taps; t++) {
                long p = (long) base + start + t;
                double w = kernel(s, (start + t - ratio), scale);
                if (s.excludeOutside() && (p < 0 || p >= in)) {
                    w = 0;
                }
                index[t][o] = clamp(p, in);
                weight[t][o] = w;
                sum += w;
            }
            if (s.excludeOutside() || (s.antialias() && scale < 1)) {
                for (int t = 0; t < taps; t++) {
                    weight[t][o] /= sum;
                }
            }
        }
        return new AxisSampling(index, weight, outside, in, n);
    }

    /** The input coordinate that output position {@code x} maps to. */
    private static double original(
            Settings s, double x, long in, long out, double resized, double scale, double roiStart, double roiEnd) {
        switch (s.transform()) {
            case "align_corners":
                return resized == 1 ? 0 : x * (in - 1) / (resized - 1);
            case "asymmetric":
                return x / scale;
            case "tf_half_pixel_for_nn":
                return (x + 0.5) / scale;
            case "pytorch_half_pixel":
                return resized == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
            case "half_pixel_symmetric": {
                double adjustment = out / resized;
                double offset = in / 2.0 * (1 - adjustment);
                return offset + (x + 0.5) / scale - 0.5;
            }
            case "tf_crop_and_resize": {
                double v = resized == 1
                        ? (roiEnd - roiStart) * (in - 1) / 2
                        : x * (roiEnd - roiStart) * (in - 1) / (resized - 1);
                return v + roiStart * (in - 1);
            }
            default:
                return (x + 0.5) / scale - 0.5;
        }
    }

    /** Whether nearest sampling takes the position above x (the one at floor(x) + 1). */
    private static boolean nearestUp(String mode, double ratio, double x, double scale) {
        if (ratio == 0) {
            return false;
        }
        return switch (mode) {
            case "round_prefer_ceil" -> ratio >= 0.5;
            case "floor" -> false;
            case "ceil" -> true;
            // opset<11 Resize and Upsample (ONNX Runtime's "simple"): ceil when shrinking, truncate otherwise
            case "simple" -> scale < 1 && x > 0;
            default -> ratio > 0.5;
        };
    }

    /** The interpolation kernel at distance {@code d} (in input positions) from the sample point. */
    private static double kernel(Settings s, double d, double scale) {
        double f = s.antialias() && scale < 1 ? scale : 1;
        double a = Math.abs(d * f);
        if (s.mode().equals("linear")) {
            return Math.max(0, 1 - a);
        }
        double c = s.cubicA();
        if (a <= 1) {
            return ((c + 2) * a - (c + 3)) * a * a + 1;
        }
        if (a < 2) {
            return ((c * a - 5 * c) * a + 8 * c) * a - 4 * c;
        }
        return 0;
    }

    private static long clamp(long p, long in) {
        return Math.max(0, Math.min(in - 1, p));
    }

    /** True when sampling leaves the axis as it is (same size, each output copying its own position). */
    boolean isIdentity() {
        if (inSize != outSize) {
            return false;
        }
        for (int o = 0; o < outSize; o++) {
            if (outside[o]) {
                return false;
            }
            for (int t = 0; t < index.length; t++) {
                double expected = index[t][o] == o ? 1 : 0;
                if (weight[t][o] != 0 && (index[t][o] != o || weight[t][o] != expected)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Resamples axis {@code axis} of {@code x} (a floating tensor). */
    NDArray apply(NDArray x, int axis, double extrapolation, NDManager manager) {
        int rank = x.getShape().dimension();
        NDArray sum = null;
        for (int t = 0; t < index.length; t++) {
            boolean anyWeight = false;
            boolean allOne = true;
            for (double w : weight[t]) {
                anyWeight |= w != 0;
                allOne &= w == 1;
            }
            if (!anyWeight && !(t == index.length - 1 && sum == null)) {
                continue;
            }
            NDArray picked = AlongAxis.take(x, index[t], axis, manager);
            if (!allOne) {
                NDArray w = manager.create(weight[t])
                        .toType(x.getDataType(), false)
                        .reshape(Axes.along(rank, axis, outSize));
                picked = picked.mul(w);
            }
            sum = sum == null ? picked : sum.add(picked);
        }
        boolean anyOutside = false;
        double[] inside = new double[outSize];
        for (int o = 0; o < outSize; o++) {
            anyOutside |= outside[o];
            inside[o] = outside[o] ? 0 : 1;
        }
        if (anyOutside) {
            NDArray keep =
                    manager.create(inside).toType(x.getDataType(), false).reshape(Axes.along(rank, axis, outSize));
            sum = sum.mul(keep).add(ScalarMath.mul(keep.neg().add(1), extrapolation));
        }
        return sum;
    }
}
