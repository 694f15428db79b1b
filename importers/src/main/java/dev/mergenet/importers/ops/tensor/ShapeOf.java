package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/** Shape: the input's dims as int64, optionally the [start, end) part (opset 15), clamped like Python slicing. */
@OnnxOp(
        type = "Shape",
        since = {1, 13, 15, 19, 21})
public final class ShapeOf implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long start = node.attrs().getInt("start", 0);
        Long end = node.attrs().has("end") ? node.attrs().getInt("end", 0) : null;
        return (ctx, in) -> {
            long[] dims = in.get(0).getShape().getShape();
            int rank = dims.length;
            int from = clamp(start, rank);
            int to = end == null ? rank : clamp(end, rank);
            long[] part = to > from ? Arrays.copyOfRange(dims, from, to) : new long[0];
            return new NDList(ctx.manager().create(part));
        };
    }

    private static int clamp(long i, int rank) {
        long v = i < 0 ? i + rank : i;
        return (int) Math.max(0, Math.min(rank, v));
    }
}
