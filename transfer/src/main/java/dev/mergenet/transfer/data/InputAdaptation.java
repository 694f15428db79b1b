package dev.mergenet.transfer.data;

import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.deploy.InputPreprocessing;

/**
 * Makes data fit a model's input, on the host, once: resize (bilinear, half-pixel centres), channel replication
 * (grey to RGB), then per-channel (x - mean) / std. Any field may be absent.
 *
 * @param resize  target [H, W], or null
 * @param channels target channel count (replicates a single channel), or 0
 * @param mean    per-channel mean (one value applies to all channels), or null
 * @param std     per-channel std, or null
 */
public record InputAdaptation(int[] resize, int channels, float[] mean, float[] std) {
    public static final InputAdaptation NONE = new InputAdaptation(null, 0, null, null);

    /** "resize=32x32 channels=3 mean=[..] std=[..]" (or "none"): stable text for fingerprints and reports. */
    public String describe() {
        if (isIdentity()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        if (resize != null) {
            sb.append("resize=").append(resize[0]).append('x').append(resize[1]).append(' ');
        }
        if (channels != 0) {
            sb.append("channels=").append(channels).append(' ');
        }
        if (mean != null) {
            sb.append("mean=").append(java.util.Arrays.toString(mean)).append(' ');
        }
        if (std != null) {
            sb.append("std=").append(java.util.Arrays.toString(std)).append(' ');
        }
        return sb.toString().trim();
    }

    public boolean isIdentity() {
        return resize == null && channels == 0 && mean == null && std == null;
    }

    /** This adaptation as the exporter records it, for samples of {@code rawShape} (as loaded). */
    public InputPreprocessing describing(Shape rawShape) {
        return new InputPreprocessing(rawShape.getShape(), resize, channels, mean, std);
    }

    public LabeledData apply(LabeledData data) {
        if (isIdentity()) {
            return data;
        }
        Shape s = data.sampleShape();
        if (s.dimension() != 3) {
            if (resize != null || channels != 0) {
                throw new MergeNetException(
                        data.origin() + ": resize/channel options need image data [C,H,W], got " + s);
            }
        }
        int c = s.dimension() == 3 ? (int) s.get(0) : 1;
        int h = s.dimension() == 3 ? (int) s.get(1) : 1;
        int w = s.dimension() == 3 ? (int) s.get(2) : (int) s.size();
        int outH = resize == null ? h : resize[0];
        int outW = resize == null ? w : resize[1];
        int outC = channels == 0 ? c : channels;
        if (outC != c && c != 1) {
            throw new MergeNetException(data.origin() + ": cannot turn " + c + " channels into " + outC
                    + " (only a single channel is replicated)");
        }
        checkStats(mean, outC, "mean", data);
        checkStats(std, outC, "std", data);
        Shape outShape = s.dimension() == 3 ? new Shape(outC, outH, outW) : s;
        final int fc = c;
        final int fh = h;
        final int fw = w;
        return data.map(outShape, x -> {
            float[] y = (outH != fh || outW != fw) ? bilinear(x, fc, fh, fw, outH, outW) : x;
            if (outC != fc) {
                float[] rep = new float[outC * outH * outW];
                for (int k = 0; k < outC; k++) {
                    System.arraycopy(y, 0, rep, k * outH * outW, outH * outW);
                }
                y = rep;
            }
            int plane = y.length / outC;
            for (int k = 0; k < outC; k++) {
                float m = mean == null ? 0 : mean[mean.length == 1 ? 0 : k];
                float d = std == null ? 1 : std[std.length == 1 ? 0 : k];
                if (m != 0 || d != 1) {
                    for (int i = k * plane; i < (k + 1) * plane; i++) {
                        y[i] = (y[i] - m) / d;
                    }
                }
            }
            return y;
        });
    }

    private static void checkStats(float[] v, int channels, String what, LabeledData data) {
        if (v != null && v.length != 1 && v.length != channels) {
            throw new MergeNetException(
                    data.origin() + ": --" + what + " has " + v.length + " values for " + channels + " channels");
        }
        if (v != null && what.equals("std")) {
            for (float f : v) {
                if (!(f > 0)) {
                    throw new MergeNetException("--std values must be positive, got " + f);
                }
            }
        }
    }

    /** Bilinear resize of a [C,H,W] image (half-pixel centres, edge clamp; torch align_corners=False). */
    public static float[] bilinear(float[] x, int c, int h, int w, int outH, int outW) {
        float[] out = new float[c * outH * outW];
        double sy = (double) h / outH;
        double sx = (double) w / outW;
        for (int k = 0; k < c; k++) {
            for (int i = 0; i < outH; i++) {
                double fy = Math.max((i + 0.5) * sy - 0.5, 0);
                int y0 = Math.min((int) fy, h - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                double ly = fy - y0;
                for (int j = 0; j < outW; j++) {
                    double fx = Math.max((j + 0.5) * sx - 0.5, 0);
                    int x0 = Math.min((int) fx, w - 1);
                    int x1 = Math.min(x0 + 1, w - 1);
                    double lx = fx - x0;
                    int base = k * h * w;
                    double top = x[base + y0 * w + x0] * (1 - lx) + x[base + y0 * w + x1] * lx;
                    double bottom = x[base + y1 * w + x0] * (1 - lx) + x[base + y1 * w + x1] * lx;
                    out[k * outH * outW + i * outW + j] = (float) (top * (1 - ly) + bottom * ly);
                }
            }
        }
        return out;
    }
}
