package dev.mergenet.core.ndarray;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mergenet.core.engine.TorchEngine;

/** Array lifetimes across a step's scope: aliasing long-lived arrays into it, overwriting and zeroing in place. */
public final class Scopes {
    private static final NDIndex ALL = new NDIndex("...");

    private Scopes() {}

    /** A new handle on the same tensor, owned by {@code scope}, so arithmetic on it creates arrays in the scope. */
    public static NDArray alias(NDArray a, NDManager scope) {
        NDArray handle = TorchEngine.sameTensor(a).orElseGet(() -> a.reshape(a.getShape()));
        handle.attach(scope);
        return handle;
    }

    /**
     * {@code a}'s gradient as a handle owned by {@code scope}, or null when no backward pass has reached {@code a}
     * (torch.optim skips such weights). Use this, not {@code alias(a.getGradient(), scope)}: the engine attaches the
     * handle getGradient makes to a's own manager (a model's, for weights), where one per call would pile up for the
     * life of the model.
     */
    public static NDArray gradient(NDArray a, NDManager scope) {
        NDArray g = TorchEngine.gradientOrNull(a);
        if (g != null) {
            g.attach(scope);
        }
        return g;
    }

    /** Overwrites {@code dst}'s values with {@code src} in place (same shape, no autograd recording). */
    public static void assign(NDArray dst, NDArray src, NDManager scope) {
        if (!dst.getShape().equals(src.getShape())) {
            throw new IllegalArgumentException("cannot assign " + src.getShape() + " to " + dst.getShape());
        }
        // an indexed copy, not dst·0 + src: a NaN or Inf in dst must not survive the overwrite
        NDArray value = alias(src, scope)
                .stopGradient()
                .toType(dst.getDataType(), false)
                .toDevice(dst.getDevice(), false);
        dst.set(ALL, value);
    }

    /** Zeroes an array's gradient if it has one. */
    public static void zeroGradient(NDArray a) {
        if (a.hasGradient() && !TorchEngine.zeroGradient(a)) { // the engine's zero_: one call, no temporary
            NDArray g = a.getGradient();
            g.set(ALL, 0); // not g − g, which keeps a NaN or Inf gradient alive
            g.close();
        }
    }
}
