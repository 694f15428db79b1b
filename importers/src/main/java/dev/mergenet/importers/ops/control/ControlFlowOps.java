package dev.mergenet.importers.ops.control;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for If, Loop and Scan (tensor values only; sequences and optionals are not arrays). */
public final class ControlFlowOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("If", new If(), 1, 11, 13, 16, 19, 21);
        r.add("Loop", new Loop(), 1, 11, 13, 16, 19, 21);
        r.add("Scan", new Scan(), 8, 9, 11, 16, 19, 21);
    }
}
