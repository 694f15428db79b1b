package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/** Tile: repeats the input repeats[i] times along each axis i. */
@OnnxOp(
        type = "Tile",
        since = {6, 13},
        unsupported = 1)
public final class Tile implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] repeats = in.longs(1);
            if (repeats.length != x.getShape().dimension()
                    || Arrays.stream(repeats).anyMatch(r -> r < 0)) {
                throw new MergeNetException(node.describe() + ": repeats " + Arrays.toString(repeats)
                        + " do not fit input " + x.getShape());
            }
            long[] out = x.getShape().getShape().clone();
            String what = node.describe() + ": output for repeats input '"
                    + node.inputs().get(1) + "'";
            for (int i = 0; i < out.length; i++) {
                out[i] = ShapeMath.multiply(out[i], repeats[i], what, repeats);
            }
            OpCost.of(() -> what + ": input " + x.getShape() + ", repeats " + java.util.Arrays.toString(repeats))
                    .tensor("output", out, x.getDataType())
                    .work(out, 1);
            return new NDList(x.getShape().dimension() == 0 ? x.reshape(x.getShape()) : x.tile(repeats));
        };
    }
}
