package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** MeanVarianceNormalization: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over {@code axes} (default 0, 2, 3). */
@OnnxOp(
        type = "MeanVarianceNormalization",
        since = {1, 9, 13})
public final class MeanVarianceNormalization implements OpConverter {
    private static final double EPSILON = 1e-9;

    @Override
    public OpKernel prepare(OnnxNode node) {
        long[] axesAttr = node.attrs().getInts("axes", new long[] {0, 2, 3});
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            int[] axes = new int[axesAttr.length];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = (int) (axesAttr[i] < 0 ? axesAttr[i] + rank : axesAttr[i]);
            }
            NDArray mean = AxisReductions.mean(x, axes);
            NDArray meanOfSquares = AxisReductions.mean(x.mul(x), axes);
            NDArray std = meanOfSquares.sub(mean.mul(mean)).sqrt();
            return new NDList(x.sub(mean).div(std.add(EPSILON)));
        };
    }
}
