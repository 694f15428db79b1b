package dev.mergenet.importers.ops.spi;

import ai.djl.ndarray.NDList;

/** Runs one prepared node: input arrays in, output arrays out (in the node's output order). */
@FunctionalInterface
public interface OpKernel {
    NDList run(OpContext ctx, OpInputs in);
}
