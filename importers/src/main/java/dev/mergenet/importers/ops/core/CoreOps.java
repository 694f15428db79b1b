package dev.mergenet.importers.ops.core;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers Constant and Identity, which every graph needs. */
public final class CoreOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("Constant", new Constant(), 1, 9, 11, 12, 13, 19, 21);
        r.add("Identity", new Identity(), 1, 13, 14, 16, 19, 21);
    }
}
