package dev.mergenet.transfer.selection;

import java.util.Arrays;

/** A float32 tensor on the host, row-major: what selection reads from one model and writes for another. */
public record HostTensor(long[] shape, float[] values) {
    public HostTensor {
        if (elements(shape) != values.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + elements(shape) + " values, not " + values.length);
        }
    }

    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public static HostTensor filled(long[] shape, float value) {
        float[] v = new float[Math.toIntExact(elements(shape))];
        Arrays.fill(v, value);
        return new HostTensor(shape.clone(), v);
    }

    public int rank() {
        return shape.length;
    }

    /** The entries whose index along {@code dim} is in {@code indices}, in that order. */
    public HostTensor select(int dim, int[] indices) {
        long outer = 1;
        for (int d = 0; d < dim; d++) {
            outer *= shape[d];
        }
        long inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int size = (int) shape[dim];
        int in = (int) inner;
        float[] out = new float[Math.toIntExact(outer * indices.length * inner)];
        int o = 0;
        for (long a = 0; a < outer; a++) {
            int base = (int) (a * size * inner);
            for (int i : indices) {
                System.arraycopy(values, base + i * in, out, o, in);
                o += in;
            }
        }
        long[] s = shape.clone();
        s[dim] = indices.length;
        return new HostTensor(s, out);
    }

    /** The sum over {@code dim}, kept as a dimension of size 1; summed in double, so the order does not matter. */
    public HostTensor sumKeepingDim(int dim) {
        long outer = 1;
        for (int d = 0; d < dim; d++) {
            outer *= shape[d];
        }
        int inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= (int) shape[d];
        }
        int size = (int) shape[dim];
        float[] out = new float[Math.toIntExact(outer * inner)];
        for (int a = 0; a < outer; a++) {
            for (int j = 0; j < inner; j++) {
                double sum = 0;
                for (int i = 0; i < size; i++) {
                    sum += values[(a * size + i) * inner + j];
                }
                out[a * inner + j] = (float) sum;
            }
        }
        long[] s = shape.clone();
        s[dim] = 1;
        return new HostTensor(s, out);
    }

    /** A 2-D tensor transposed. */
    public HostTensor transposed() {
        int r = (int) shape[0];
        int c = (int) shape[1];
        float[] out = new float[values.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = values[i * c + j];
            }
        }
        return new HostTensor(new long[] {c, r}, out);
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }
}
