package dev.mergenet.importers.graph;

import ai.djl.ndarray.NDArray;
import java.lang.reflect.Field;

/**
 * Whether closing an array's handle early is safe. PyTorch arrays made from Java data wrap a Java buffer that the
 * handle keeps alive (field {@code dataRef}); views and autograd may still point into it, so those stay open
 * until the step's scope closes. Arrays the engine allocated are reference-counted by libtorch itself.
 */
final class ReleasableArrays {
    private static final Field DATA_REF = dataRefField();

    private ReleasableArrays() {}

    /** False for containers such as sequences, which hold other arrays by reference. */
    static boolean plainArray(NDArray a) {
        return DATA_REF != null && DATA_REF.getDeclaringClass().isInstance(a);
    }

    static boolean engineOwned(NDArray a) {
        if (DATA_REF == null || !DATA_REF.getDeclaringClass().isInstance(a)) {
            return false;
        }
        try {
            return DATA_REF.get(a) == null;
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    private static Field dataRefField() {
        try {
            Field f = Class.forName("ai.djl.pytorch.engine.PtNDArray").getDeclaredField("dataRef");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // another engine or DJL version: nothing is released early
        }
    }
}
