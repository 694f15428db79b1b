package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import java.util.Arrays;

/** Axis and shape arithmetic shared by the tensor converters; errors name the node. */
final class Axes {
    private Axes() {}

    /** {@code axis} in [-rank, rank-1] mapped to [0, rank-1]. */
    static int normalize(long axis, int rank, OnnxNode node, String what) {
        if (axis < -rank || axis >= rank) {
            throw new MergeNetException(
                    node.describe() + ": " + what + " " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static int[] normalizeAll(long[] axes, int rank, OnnxNode node, String what) {
        int[] out = new int[axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            out[i] = normalize(axes[i], rank, node, what);
            if (seen[out[i]]) {
                throw new MergeNetException(
                        node.describe() + ": " + what + "s " + Arrays.toString(axes) + " repeat axis " + out[i]);
            }
            seen[out[i]] = true;
        }
        return out;
    }

    static long product(long[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    /** Row-major strides of {@code dims}. */
    static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** A shape of ones except {@code size} at {@code axis}: broadcasts a per-position vector along one axis. */
    static Shape along(int rank, int axis, long size) {
        long[] d = new long[rank];
        Arrays.fill(d, 1);
        d[axis] = size;
        return new Shape(d);
    }

    /** Numpy-style broadcast of two shapes, or an error naming the node. */
    static long[] broadcast(long[] a, long[] b, OnnxNode node) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new MergeNetException(node.describe() + ": shapes " + Arrays.toString(a) + " and "
                        + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }
}
