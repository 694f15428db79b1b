package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Size: the input's element count as an int64 scalar. */
@OnnxOp(
        type = "Size",
        since = {1, 13, 19, 21})
public final class SizeOf implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> new NDList(ctx.manager().create(in.get(0).getShape().size()));
    }
}
