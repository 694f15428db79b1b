package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Bernoulli: 1 with the probability given by each input element, else 0, in the type of attribute 'dtype'
 * (default: the input's). Draws come from the engine's generator, so the seed attribute cannot reproduce
 * another runtime's numbers.
 */
@OnnxOp(
        type = "Bernoulli",
        since = {15, 22})
public final class Bernoulli implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        DataType fixed = null;
        if (node.attrs().has("dtype")) {
            int dt = (int) node.attrs().getInt("dtype", 0);
            fixed = OnnxDataTypes.toDjl(dt);
            if (fixed == null) {
                throw new MergeNetException(node.describe() + ": unsupported dtype " + OnnxDataTypes.name(dt));
            }
        }
        DataType dtype = fixed;
        return (ctx, in) -> {
            NDArray p = in.get(0);
            NDArray u = ctx.manager().randomUniform(0f, 1f, p.getShape(), DataType.FLOAT64);
            NDArray draw = u.lt(p.toType(DataType.FLOAT64, false));
            return new NDList(draw.toType(dtype == null ? p.getDataType() : dtype, false));
        };
    }
}
