package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/** Pads (or, for negative amounts, crops) the trailing spatial axes of an (N, C, spatial...) array. */
final class SpatialPadding {
    private SpatialPadding() {}

    /**
     * Pads spatial axis i by {@code begin[i]} before and {@code end[i]} after with {@code value}; a negative
     * amount removes that many elements instead.
     */
    static NDArray apply(NDArray x, long[] begin, long[] end, double value) {
        int n = begin.length;
        int rank = x.getShape().dimension();
        boolean anyPad = false;
        boolean anyCrop = false;
        long[] widths = new long[2 * n];
        for (int i = 0; i < n; i++) {
            // DJL (like torch) lists pad widths from the last axis backwards.
            int j = n - 1 - i;
            widths[2 * j] = Math.max(0, begin[i]);
            widths[2 * j + 1] = Math.max(0, end[i]);
            anyPad |= begin[i] > 0 || end[i] > 0;
            anyCrop |= begin[i] < 0 || end[i] < 0;
        }
        NDArray out = anyPad ? x.pad(new Shape(widths), value) : x;
        if (!anyCrop) {
            return out;
        }
        NDIndex index = new NDIndex();
        for (int a = 0; a < rank - n; a++) {
            index.addAllDim();
        }
        for (int i = 0; i < n; i++) {
            long size = out.getShape().get(rank - n + i);
            long from = Math.max(0, -begin[i]);
            long to = size - Math.max(0, -end[i]);
            index.addSliceDim(from, to);
        }
        return out.get(index);
    }

    /** The trailing {@code n} dims of {@code shape}. */
    static long[] spatial(Shape shape, int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = shape.get(shape.dimension() - n + i);
        }
        return s;
    }
}
