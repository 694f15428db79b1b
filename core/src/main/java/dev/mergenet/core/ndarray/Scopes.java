package dev.mergenet.core.ndarray;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Aliases long-lived arrays into a step's sub-manager so that arithmetic on them creates arrays there. */
public final class Scopes {
    private static final ai.djl.ndarray.index.NDIndex ALL = new ai.djl.ndarray.index.NDIndex("...");

    private Scopes() {}

    public static NDArray alias(NDArray a, NDManager scope) {
        NDArray view = a.reshape(a.getShape());
        view.attach(scope);
        return view;
    }

    /** Overwrites {@code dst}'s values with {@code src} in place (same shape, no autograd recording). */
    public static void assign(NDArray dst, NDArray src, NDManager scope) {
        if (!dst.getShape().equals(src.getShape())) {
            throw new IllegalArgumentException("cannot assign " + src.getShape() + " to " + dst.getShape());
        }
        // an indexed copy, not dst·0 + src: a NaN or Inf in dst must not survive the overwrite
        NDArray value = alias(src, scope).stopGradient().toType(dst.getDataType(), false)
                .toDevice(dst.getDevice(), false);
        dst.set(ALL, value);
    }

    /** Zeroes an array's gradient if it has one. */
    public static void zeroGradient(NDArray a) {
        if (a.hasGradient()) {
            NDArray g = a.getGradient();
            g.set(ALL, 0); // not g − g, which keeps a NaN or Inf gradient alive
            g.close();
        }
    }
}
