package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;

/** Multi-axis reductions that keep the reduced axes (the engine reduces one axis per call). */
final class AxisReductions {
    private AxisReductions() {}

    static NDArray mean(NDArray x, int[] axes) {
        NDArray y = x;
        for (int a : axes) {
            y = y.mean(new int[] {a}, true);
        }
        return y;
    }

    static NDArray sum(NDArray x, int[] axes) {
        NDArray y = x;
        for (int a : axes) {
            y = y.sum(new int[] {a}, true);
        }
        return y;
    }

    static NDArray max(NDArray x, int[] axes) {
        NDArray y = x;
        for (int a : axes) {
            y = y.max(new int[] {a}, true);
        }
        return y;
    }
}
