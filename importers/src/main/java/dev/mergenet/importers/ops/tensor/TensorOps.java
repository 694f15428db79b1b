package dev.mergenet.importers.ops.tensor;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for shape, layout and indexing ops. */
public final class TensorOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
    }
}
