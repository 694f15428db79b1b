package dev.mergenet.importers.ops.activation;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for activations and softmax-like ops. */
public final class ActivationOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
    }
}
