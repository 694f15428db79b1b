package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** ConvInteger: the int32 convolution of 8-bit inputs after subtracting their zero points. */
@OnnxOp(type = "ConvInteger", since = 10)
public final class ConvInteger implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        WindowAttributes attrs = new WindowAttributes(node);
        int group = (int) node.attrs().getInt("group", 1);
        return (ctx, in) -> new NDList(
                IntegerConvolution.accumulate(attrs, in.get(0), in.optional(2), in.get(1), in.optional(3), group)
                        .toType(DataType.INT32, false));
    }
}
