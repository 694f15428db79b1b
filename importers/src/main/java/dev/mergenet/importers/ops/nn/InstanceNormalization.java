package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/** InstanceNormalization: each (sample, channel) is normalized over its spatial axes, then scaled per channel. */
@OnnxOp(
        type = "InstanceNormalization",
        since = {1, 6, 22})
public final class InstanceNormalization implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        float epsilon = node.attrs().getFloat("epsilon", 1e-5f);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            int[] axes = new int[rank - 2];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i + 2;
            }
            long[] view = new long[rank];
            Arrays.fill(view, 1);
            view[1] = x.getShape().get(1);
            NDArray centered = x.sub(AxisReductions.mean(x, axes));
            NDArray var = AxisReductions.mean(centered.mul(centered), axes);
            NDArray y = centered.div(var.add(epsilon).sqrt())
                    .mul(in.get(1).reshape(new Shape(view)))
                    .add(in.get(2).reshape(new Shape(view)));
            return new NDList(y);
        };
    }
}
