package dev.mergenet.importers.ops.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.List;

/**
 * SplitToSequence: splits along axis into pieces of the sizes in split (a scalar gives equal chunks, the last
 * smaller), or into pieces of size 1 without split, dropping the axis unless keepdims=1.
 */
@OnnxOp(type = "SplitToSequence", since = 11)
public final class SplitToSequence implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axisAttr = node.attrs().getInt("axis", 0);
        boolean keepDims = node.attrs().getInt("keepdims", 1) == 1;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            if (axisAttr < -rank || axisAttr >= rank) {
                throw new OnnxFormatException(node.describe() + ": axis " + axisAttr + " is out of range for input '"
                        + node.inputs().get(0) + "' " + x.getShape());
            }
            int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
            long length = x.getShape().get(axis);
            List<Long> sizes = new ArrayList<>();
            boolean squeeze = false;
            // one engine call and one tensor per piece: a length of millions split by 1 is millions of calls
            long pieceCount = !in.has(1)
                    ? length
                    : in.get(1).getShape().dimension() == 0
                            ? length
                            : in.get(1).getShape().size();
            OpCost.of(() -> node.describe() + ": input '" + node.inputs().get(0) + "' " + x.getShape() + " split into "
                            + pieceCount + " pieces along axis " + axis)
                    .work(x.getShape().getShape(), 1, pieceCount);
            if (!in.has(1)) {
                for (long i = 0; i < length; i++) {
                    sizes.add(1L);
                }
                squeeze = !keepDims;
            } else if (in.get(1).getShape().dimension() == 0) {
                long chunk = in.scalarLong(1);
                if (chunk < 1) {
                    throw new OnnxFormatException(node.describe() + ": split '"
                            + node.inputs().get(1) + "' = " + chunk + " must be at least 1");
                }
                for (long start = 0; start < length; start += chunk) {
                    sizes.add(Math.min(chunk, length - start));
                }
            } else {
                for (long s : in.longs(1)) {
                    if (s < 0 || s > length) {
                        throw new OnnxFormatException(
                                node.describe() + ": split '" + node.inputs().get(1) + "' holds the size " + s
                                        + ", outside [0, " + length + "] along axis " + axis);
                    }
                    sizes.add(s);
                }
            }
            if (sizes.stream().mapToLong(Long::longValue).sum() != length) {
                throw new OnnxFormatException(
                        ctx.node().describe() + ": split sizes " + sizes + " do not add up to " + length);
            }
            long[] cuts = new long[Math.max(0, sizes.size() - 1)];
            long at = 0;
            for (int i = 0; i < cuts.length; i++) {
                at += sizes.get(i);
                cuts[i] = at;
            }
            NDList pieces = sizes.size() == 1 ? new NDList(x.reshape(x.getShape())) : x.split(cuts, axis);
            List<NDArray> items = new ArrayList<>();
            for (NDArray p : pieces) {
                items.add(squeeze ? p.squeeze(axis) : p);
            }
            return new NDList(new TensorSequence(ctx.manager(), items, x.getDataType()));
        };
    }
}
