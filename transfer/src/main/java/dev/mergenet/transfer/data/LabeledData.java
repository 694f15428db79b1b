package dev.mergenet.transfer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An in-memory classification set: features as float32 rows of one sample shape (e.g. [1, 28, 28] or [F]),
 * integer labels in [0, classes). Batches are created on the manager they are asked for, so the device is the
 * caller's choice. A transform (input adaptation) is applied lazily, per sample as batches are made, so a resized
 * copy of a large set never has to fit in memory.
 */
public final class LabeledData {
    private final String origin;
    private final float[] features;
    private final int[] labels;
    private final Shape sampleShape;
    private final int classes;
    private final int sampleSize;
    private final Shape rawShape;
    private final int rawSize;
    private final UnaryOperator<float[]> transform;
    private final List<String> classNames;

    public LabeledData(String origin, float[] features, int[] labels, Shape sampleShape, int classes) {
        this(origin, features, labels, sampleShape, classes, sampleShape, null, null);
    }

    private LabeledData(
            String origin,
            float[] features,
            int[] labels,
            Shape sampleShape,
            int classes,
            Shape rawShape,
            UnaryOperator<float[]> transform,
            List<String> classNames) {
        if (classNames != null && classNames.size() != classes) {
            throw new IllegalArgumentException(
                    origin + ": " + classNames.size() + " class names for " + classes + " classes");
        }
        this.classNames = classNames == null ? null : List.copyOf(classNames);
        this.rawShape = rawShape;
        this.rawSize = Math.toIntExact(rawShape.size());
        this.transform = transform;
        this.origin = origin;
        this.features = features;
        this.labels = labels;
        this.sampleShape = sampleShape;
        this.classes = classes;
        this.sampleSize = Math.toIntExact(sampleShape.size());
        if ((long) labels.length * rawSize != features.length) {
            throw new IllegalArgumentException(origin + ": " + labels.length + " labels but " + features.length
                    + " feature values for samples of shape " + rawShape);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        origin + ": label " + labels[i] + " of sample " + i + " is outside [0, " + classes + ")");
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

    /** Class names in label order: folder names, CSV labels, a set's known names; else "0", "1", .... */
    public List<String> classNames() {
        if (classNames != null) {
            return classNames;
        }
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            numbers.add(Integer.toString(i));
        }
        return numbers;
    }

    /** The same samples with names for their classes (label order). */
    public LabeledData withClassNames(List<String> names) {
        return new LabeledData(origin, features, labels, sampleShape, classes, rawShape, transform, names);
    }

    /** The shape of a sample as loaded, before any input adaptation. */
    public Shape rawSampleShape() {
        return rawShape;
    }

    public String origin() {
        return origin;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Feeds the labels and the raw float32 sample values (before any input adaptation) to {@code md}. */
    public void digest(MessageDigest md) {
        ByteBuffer b = ByteBuffer.allocate(Integer.BYTES * labels.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(labels);
        md.update(b);
        ByteBuffer f = ByteBuffer.allocate(Float.BYTES * Math.min(features.length, 1 << 20))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < features.length; from += f.capacity() / Float.BYTES) {
            int n = Math.min(f.capacity() / Float.BYTES, features.length - from);
            f.clear();
            f.asFloatBuffer().put(features, from, n);
            f.limit(n * Float.BYTES);
            md.update(f);
        }
    }

    /** A copy of sample i's features. */
    public float[] sample(int i) {
        float[] out = new float[rawSize];
        System.arraycopy(features, i * rawSize, out, 0, rawSize);
        if (transform != null) {
            out = transform.apply(out);
            if (out.length != sampleSize) {
                throw new IllegalStateException("transform produced " + out.length + " values, expected " + sampleSize);
            }
        }
        return out;
    }

    /** The samples at the given indices, in that order. */
    public LabeledData subset(int[] indices, String name) {
        float[] x = new float[indices.length * rawSize];
        int[] y = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(features, indices[k] * rawSize, x, k * rawSize, rawSize);
            y[k] = labels[indices[k]];
        }
        return new LabeledData(name, x, y, sampleShape, classes, rawShape, transform, classNames);
    }

    /** Features of the samples at {@code indices[from..to)} as one [B, ...sampleShape] float32 array. */
    public NDArray features(NDManager manager, int[] indices, int from, int to) {
        int b = to - from;
        float[] x = new float[b * sampleSize];
        for (int k = 0; k < b; k++) {
            System.arraycopy(sample(indices[from + k]), 0, x, k * sampleSize, sampleSize);
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

    /** The same samples seen through a further per-sample transform (applied lazily, on the host). */
    public LabeledData map(Shape newShape, UnaryOperator<float[]> f) {
        UnaryOperator<float[]> chained = transform == null ? f : x -> f.apply(transform.apply(x));
        return new LabeledData(origin, features, labels, newShape, classes, rawShape, chained, classNames);
    }
}
