package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Pooling as a sum (or max) over kernel offsets: for each offset the strided slice of the padded input holds
 * that window element for every output position. Any padding, dilation or ceil mode is then just a slice, and
 * autograd sees plain slicing.
 */
final class SlidingWindows {
    private final WindowAttributes.Window window;
    private final int count;

    SlidingWindows(WindowAttributes.Window window) {
        this.window = window;
        long c = 1;
        for (long k : window.kernel()) {
            c *= k;
        }
        this.count = (int) c;
    }

    /** Number of kernel offsets (the window's element count). */
    int count() {
        return count;
    }

    /** Pads x's spatial axes so every window lies inside (the end pad may exceed the op's for ceil mode). */
    NDArray pad(NDArray x, double value) {
        int n = window.rank();
        long[] end = new long[n];
        for (int i = 0; i < n; i++) {
            end[i] = Math.max(0, window.reach(i) - window.in()[i] - window.padBegin()[i]);
        }
        return SpatialPadding.apply(x, window.padBegin(), end, value);
    }

    /** The kernel offset of window element {@code j} (row-major over the kernel axes). */
    long[] offset(int j) {
        int n = window.rank();
        long[] off = new long[n];
        long rest = j;
        for (int i = n - 1; i >= 0; i--) {
            off[i] = rest % window.kernel()[i];
            rest /= window.kernel()[i];
        }
        return off;
    }

    /** Window element {@code j} of every output position: a strided slice of the padded input. */
    NDArray slice(NDArray padded, int j) {
        int n = window.rank();
        int batchAxes = padded.getShape().dimension() - n;
        long[] off = offset(j);
        NDIndex index = new NDIndex();
        for (int a = 0; a < batchAxes; a++) {
            index.addAllDim();
        }
        for (int i = 0; i < n; i++) {
            long start = off[i] * window.dilations()[i];
            long stop = start + (window.out()[i] - 1) * window.strides()[i] + 1;
            index.addSliceDim(start, stop, window.strides()[i]);
        }
        return padded.get(index);
    }

    /**
     * How many elements of each output position's window fall in the counted region: the input alone, or the
     * input with the op's explicit pads (never the extra room ceil mode adds). Row-major over output positions.
     */
    float[] counts(boolean includePads) {
        int n = window.rank();
        float[][] perAxis = new float[n][];
        for (int i = 0; i < n; i++) {
            long lo = includePads ? 0 : window.padBegin()[i];
            long hi = window.padBegin()[i] + window.in()[i] + (includePads ? window.padEnd()[i] : 0);
            perAxis[i] = new float[(int) window.out()[i]];
            for (int o = 0; o < window.out()[i]; o++) {
                int c = 0;
                for (int k = 0; k < window.kernel()[i]; k++) {
                    long p = o * window.strides()[i] + k * window.dilations()[i];
                    if (p >= lo && p < hi) {
                        c++;
                    }
                }
                perAxis[i][o] = c;
            }
        }
        int total = 1;
        for (long o : window.out()) {
            total = Math.toIntExact((long) total * o);
        }
        float[] out = new float[total];
        for (int flat = 0; flat < total; flat++) {
            int rest = flat;
            float v = 1;
            for (int i = n - 1; i >= 0; i--) {
                int o = rest % (int) window.out()[i];
                rest /= (int) window.out()[i];
                v *= perAxis[i][o];
            }
            out[flat] = v;
        }
        return out;
    }
}
