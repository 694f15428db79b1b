package dev.mergenet.transfer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * An in-memory classification set: features as float32 rows of one sample shape (e.g. [1, 28, 28] or [F]),
 * integer labels in [0, classes). Batches are created on the manager they are asked for, so the device is the
 * caller's choice.
 */
public final class LabeledData {
    private final String origin;
    private final float[] features;
    private final int[] labels;
    private final Shape sampleShape;
    private final int classes;
    private final int sampleSize;

    public LabeledData(String origin, float[] features, int[] labels, Shape sampleShape, int classes) {
        this.origin = origin;
        this.features = features;
        this.labels = labels;
        this.sampleShape = sampleShape;
        this.classes = classes;
        this.sampleSize = Math.toIntExact(sampleShape.size());
        if ((long) labels.length * sampleSize != features.length) {
            throw new IllegalArgumentException(origin + ": " + labels.length + " labels but " + features.length
                    + " feature values for samples of shape " + sampleShape);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(origin + ": label " + labels[i] + " of sample " + i
                        + " is outside [0, " + classes + ")");
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public Shape sampleShape() {
        return sampleShape;
    }

    public int classes() {
        return classes;
    }

    public String origin() {
        return origin;
    }

    public int label(int i) {
        return labels[i];
    }

    /** A copy of sample i's features. */
    public float[] sample(int i) {
        float[] out = new float[sampleSize];
        System.arraycopy(features, i * sampleSize, out, 0, sampleSize);
        return out;
    }

    /** The samples at the given indices, in that order. */
    public LabeledData subset(int[] indices, String name) {
        float[] x = new float[indices.length * sampleSize];
        int[] y = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(features, indices[k] * sampleSize, x, k * sampleSize, sampleSize);
            y[k] = labels[indices[k]];
        }
        return new LabeledData(name, x, y, sampleShape, classes);
    }

    /** Features of the samples at {@code indices[from..to)} as one [B, ...sampleShape] float32 array. */
    public NDArray features(NDManager manager, int[] indices, int from, int to) {
        int b = to - from;
        float[] x = new float[b * sampleSize];
        for (int k = 0; k < b; k++) {
            System.arraycopy(features, indices[from + k] * sampleSize, x, k * sampleSize, sampleSize);
        }
        long[] dims = new long[sampleShape.dimension() + 1];
        dims[0] = b;
        System.arraycopy(sampleShape.getShape(), 0, dims, 1, sampleShape.dimension());
        return manager.create(FloatBuffer.wrap(x), new Shape(dims));
    }

    /** Labels of the samples at {@code indices[from..to)} as an int64 array. */
    public NDArray labels(NDManager manager, int[] indices, int from, int to) {
        long[] y = new long[to - from];
        for (int k = 0; k < y.length; k++) {
            y[k] = labels[indices[from + k]];
        }
        return manager.create(y);
    }

    /** Transforms every sample's features (host side, once). */
    public LabeledData map(Shape newShape, java.util.function.UnaryOperator<float[]> f) {
        int newSize = Math.toIntExact(newShape.size());
        float[] x = new float[labels.length * newSize];
        for (int i = 0; i < labels.length; i++) {
            float[] out = f.apply(sample(i));
            if (out.length != newSize) {
                throw new IllegalStateException("transform produced " + out.length + " values, expected " + newSize);
            }
            System.arraycopy(out, 0, x, i * newSize, newSize);
        }
        return new LabeledData(origin, x, labels.clone(), newShape, classes);
    }

    public LabeledData withClasses(int newClasses) {
        return new LabeledData(origin, features, labels, sampleShape, newClasses);
    }
}
