package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDArray;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OpContext;

/** Shared checks of the sequence converters. */
final class Sequences {
    private Sequences() {}

    static TensorSequence of(NDArray value, OpContext ctx) {
        if (value instanceof TensorSequence s) {
            return s;
        }
        throw new MergeNetException(ctx.node().describe() + ": expected a sequence, got a tensor " + value.getShape());
    }

    /** A position input (scalar int), made non-negative against {@code size}; {@code inclusiveEnd} allows size. */
    static int position(long p, int size, boolean inclusiveEnd, OpContext ctx) {
        long q = p < 0 ? p + size : p;
        long max = inclusiveEnd ? size : size - 1;
        if (q < 0 || q > max) {
            throw new MergeNetException(
                    ctx.node().describe() + ": position " + p + " is out of range for a sequence of " + size);
        }
        return (int) q;
    }
}
