package dev.mergenet.importers.ops.core;

import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Identity: passes its input through (a new handle, so the graph can own it). */
@OnnxOp(
        type = "Identity",
        since = {1, 13, 14, 16, 19, 21})
public final class Identity implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> new NDList(in.get(0).reshape(in.get(0).getShape()));
    }
}
