package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/** ReverseSequence: for each batch entry b, reverses the first sequence_lens[b] steps along the time axis. */
@OnnxOp(type = "ReverseSequence", since = 10)
public final class ReverseSequence implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long batchAxis = node.attrs().getInt("batch_axis", 1);
        long timeAxis = node.attrs().getInt("time_axis", 0);
        if (!((batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0))) {
            throw new MergeNetException(
                    node.describe() + ": batch_axis/time_axis must be 0/1 or 1/0, not " + batchAxis + "/" + timeAxis);
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] lens = in.longs(1);
            long[] dims = x.getShape().getShape();
            int t = (int) timeAxis;
            int b = (int) batchAxis;
            long steps = dims[t];
            long batch = dims[b];
            if (lens.length != batch) {
                throw new MergeNetException(
                        node.describe() + ": " + lens.length + " sequence lengths for batch " + batch);
            }
            long[] source = new long[(int) (steps * batch)];
            for (int s = 0; s < steps; s++) {
                for (int j = 0; j < batch; j++) {
                    long len = Math.max(0, Math.min(steps, lens[j]));
                    long src = s < len ? len - 1 - s : s;
                    source[t == 0 ? s * (int) batch + j : j * (int) steps + s] = src;
                }
            }
            long[] indexDims = new long[dims.length];
            Arrays.fill(indexDims, 1);
            indexDims[t] = steps;
            indexDims[b] = batch;
            NDArray index =
                    ctx.manager().create(source).reshape(new Shape(indexDims)).broadcast(x.getShape());
            return new NDList(x.gather(index, t));
        };
    }
}
