package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Pow: the output has the base's type whatever the exponent's type (opset 12+ allows them to differ). A
 * float base computes in its own type; an integer base with a float exponent computes in float64 and is
 * truncated back, as the ONNX reference does.
 */
@OnnxOp(
        type = "Pow",
        since = {1, 7, 12, 13, 15})
public final class Pow implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray y = Numeric.legacyAlign(node, x, in.get(1));
            DataType type = x.getDataType();
            if (type.isFloating()) {
                return new NDList(x.pow(Numeric.as(y, type)));
            }
            if (y.getDataType().isFloating()) {
                NDArray r = x.toType(DataType.FLOAT64, false).pow(y.toType(DataType.FLOAT64, false));
                return new NDList(r.trunc().toType(type, false));
            }
            NDArray r = x.toType(DataType.INT64, false).pow(y.toType(DataType.INT64, false));
            return new NDList(Numeric.as(r, type));
        };
    }
}
