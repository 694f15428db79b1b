package dev.mergenet.importers.ops.control;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for If, Loop and Scan. */
public final class ControlFlowOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
    }
}
