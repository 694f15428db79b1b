package dev.mergenet.importers.ops.activation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.ops.math.Numeric;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * PRelu: max(0, x) + slope * min(0, x), slope broadcasting to x. Before opset 7 a 1-D slope of C values is
 * per channel (axis 1), so it is reshaped to (C, 1, ..., 1).
 */
@OnnxOp(
        type = "PRelu",
        since = {1, 6, 7, 9, 16})
public final class PRelu implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean legacy = node.sinceVersion() < 7;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray slope = Numeric.as(in.get(1), x.getDataType());
            int rank = x.getShape().dimension();
            if (legacy && slope.getShape().dimension() == 1 && slope.size() > 1 && rank > 2) {
                long[] s = new long[rank - 1];
                Arrays.fill(s, 1);
                s[0] = slope.size();
                slope = slope.reshape(new Shape(s));
            }
            NDArray zero = Numeric.scalar(ctx.manager(), 0, x.getDataType());
            return new NDList(x.maximum(zero).add(x.minimum(zero).mul(slope)));
        };
    }
}
