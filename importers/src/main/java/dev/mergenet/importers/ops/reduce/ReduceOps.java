package dev.mergenet.importers.ops.reduce;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for reductions and arg-reductions. */
public final class ReduceOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
    }
}
