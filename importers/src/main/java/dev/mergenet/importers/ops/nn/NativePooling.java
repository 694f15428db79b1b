package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.types.Shape;

/**
 * When an ONNX pooling window can run as the engine's own pooling kernel (one fused op, far faster than
 * combining shifted slices): no dilation, equal pads on both sides of at most half the kernel, and an output
 * size that PyTorch's floor or ceil rule reproduces.
 */
final class NativePooling {
    /** The arguments of the native call. */
    record Plan(Shape kernel, Shape strides, Shape pads, boolean ceilMode) {}

    private NativePooling() {}

    /** The native plan for {@code win}, or null when only the general path computes it exactly. */
    static Plan plan(WindowAttributes.Window win) {
        int n = win.rank();
        if (n < 1 || n > 3 || !win.symmetric()) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            if (win.dilations()[i] != 1 || win.padBegin()[i] * 2 > win.kernel()[i]) {
                return null;
            }
        }
        for (boolean ceil : new boolean[] {false, true}) {
            boolean matches = true;
            for (int i = 0; i < n && matches; i++) {
                matches = torchOut(win.in()[i], win.kernel()[i], win.strides()[i], win.padBegin()[i], ceil)
                        == win.out()[i];
            }
            if (matches) {
                return new Plan(new Shape(win.kernel()), new Shape(win.strides()), new Shape(win.padBegin()), ceil);
            }
        }
        return null;
    }

    /** PyTorch's pooling output length (the last window must start inside the input or its left padding). */
    static long torchOut(long in, long k, long s, long p, boolean ceil) {
        long span = in + 2 * p - k;
        if (span < 0) {
            return -1;
        }
        long out = (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
        if (ceil && (out - 1) * s >= in + p) {
            out--;
        }
        return out;
    }
}
