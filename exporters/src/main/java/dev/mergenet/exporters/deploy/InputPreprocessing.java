package dev.mergenet.exporters.deploy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How training data reached the model: samples of {@code rawShape} (images [C,H,W] scaled to [0,1], or feature
 * rows [F]), resized to {@code resize} [H,W] (bilinear, half-pixel centres), a single channel replicated to
 * {@code channels}, then per-channel (x - mean) / std. Absent steps are null (or 0 channels); one mean or std
 * value applies to every channel.
 */
public record InputPreprocessing(long[] rawShape, int[] resize, int channels, float[] mean, float[] std) {
    public InputPreprocessing {
        if (rawShape == null || rawShape.length == 0) {
            throw new IllegalArgumentException("input preprocessing needs the raw sample shape");
        }
        if ((resize != null || channels != 0) && rawShape.length != 3) {
            throw new IllegalArgumentException(
                    "resize and channel replication need image samples [C,H,W], got " + Arrays.toString(rawShape));
        }
        if (resize != null && (resize.length != 2 || resize[0] < 1 || resize[1] < 1)) {
            throw new IllegalArgumentException(
                    "resize must be [H, W] with positive sizes, got " + Arrays.toString(resize));
        }
        if (channels != 0 && channels != rawShape[0] && rawShape[0] != 1) {
            throw new IllegalArgumentException(
                    "only a single channel can be replicated, got " + rawShape[0] + " -> " + channels);
        }
    }

    /** Nothing but the raw samples. */
    public static InputPreprocessing none(long[] rawShape) {
        return new InputPreprocessing(rawShape, null, 0, null, null);
    }

    /** True when raw samples go into the model unchanged. */
    public boolean isIdentity() {
        return !resizes() && !replicatesChannels() && !normalizes();
    }

    /** A resize was asked for (even to the raw size: images of other sizes are then resized too). */
    public boolean resizes() {
        return resize != null;
    }

    public boolean replicatesChannels() {
        return channels != 0 && channels != rawShape[0];
    }

    public boolean normalizes() {
        return !allEqual(mean, 0f) || !allEqual(std, 1f);
    }

    /** The sample shape the model was trained on (without the batch dimension). */
    public long[] trainedShape() {
        if (rawShape.length != 3) {
            return rawShape.clone();
        }
        return new long[] {
            channels == 0 ? rawShape[0] : channels,
            resize == null ? rawShape[1] : resize[0],
            resize == null ? rawShape[2] : resize[1]
        };
    }

    /** One line for people: "resize 28x28 -> 32x32 (bilinear), replicate 1 -> 3 channels, (x - 0.5) / 0.25". */
    public String describe() {
        List<String> steps = new ArrayList<>();
        if (resizes()) {
            steps.add("resize to " + resize[0] + "x" + resize[1] + " (bilinear, half-pixel centres)");
        }
        if (replicatesChannels()) {
            steps.add("replicate " + rawShape[0] + " -> " + channels + " channels");
        }
        if (normalizes()) {
            steps.add("(x - " + values(mean, 0f) + ") / " + values(std, 1f) + " per channel");
        }
        return steps.isEmpty() ? "none (raw samples)" : String.join(", ", steps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputPreprocessing p
                && Arrays.equals(rawShape, p.rawShape)
                && Arrays.equals(resize, p.resize)
                && channels == p.channels
                && Arrays.equals(mean, p.mean)
                && Arrays.equals(std, p.std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rawShape) * 31 + Arrays.hashCode(resize) * 17 + channels;
    }

    @Override
    public String toString() {
        return "InputPreprocessing[raw " + Arrays.toString(rawShape) + ": " + describe() + "]";
    }

    private static String values(float[] v, float absent) {
        if (v == null) {
            return Float.toString(absent);
        }
        return v.length == 1 ? Float.toString(v[0]) : Arrays.toString(v);
    }

    private static boolean allEqual(float[] v, float value) {
        if (v == null) {
            return true;
        }
        for (float f : v) {
            if (f != value) {
                return false;
            }
        }
        return true;
    }
}
