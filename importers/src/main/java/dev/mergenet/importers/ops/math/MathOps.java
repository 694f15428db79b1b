package dev.mergenet.importers.ops.math;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for elementwise math, comparison, logic, Cast, MatMul and Gemm. */
public final class MathOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
    }
}
