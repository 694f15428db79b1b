package dev.mergenet.importers.graph;

import ai.djl.ndarray.NDArray;
import dev.mergenet.core.engine.TorchEngine;

/**
 * Whether closing an array's handle early is safe. PyTorch arrays made from Java data wrap a Java buffer that the
 * handle keeps alive; views and autograd may still point into it, so those stay open until the step's scope
 * closes. Arrays the engine allocated are reference-counted by libtorch itself. The engine seam tells them apart.
 */
final class ReleasableArrays {
    private ReleasableArrays() {}

    /** False for containers such as sequences, which hold other arrays by reference. */
    static boolean plainArray(NDArray a) {
        return TorchEngine.isTensor(a);
    }

    static boolean engineOwned(NDArray a) {
        return TorchEngine.isEngineAllocated(a);
    }
}
