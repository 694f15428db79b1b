package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/** Transpose: permutes axes by 'perm' (default: reversed). */
@OnnxOp(
        type = "Transpose",
        since = {1, 13, 21})
public final class Transpose implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long[] perm = node.attrs().getInts("perm", null);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            int[] p = new int[rank];
            if (perm == null) {
                for (int i = 0; i < rank; i++) {
                    p[i] = rank - 1 - i;
                }
            } else {
                if (perm.length != rank) {
                    throw new MergeNetException(
                            node.describe() + ": perm " + Arrays.toString(perm) + " does not match input rank " + rank);
                }
                p = Axes.normalizeAll(perm, rank, node, "perm entry");
            }
            return new NDList(rank < 2 ? x.reshape(x.getShape()) : x.transpose(p));
        };
    }
}
