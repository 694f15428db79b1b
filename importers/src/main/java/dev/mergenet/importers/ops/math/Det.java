package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Det of the trailing square matrices, by Gaussian elimination with partial pivoting done on the device: the
 * pivot row is found with argmax and swapped in with a permutation matrix, so no value goes to the host and
 * autograd sees only products, differences and quotients.
 */
@OnnxOp(
        type = "Det",
        since = {11, 22})
public final class Det implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        return (ctx, in) -> {
            NDArray a = in.get(0);
            Shape s = a.getShape();
            int r = s.dimension();
            if (r < 2 || s.get(r - 1) != s.get(r - 2)) {
                throw new MergeNetException(node.describe() + ": input must end in square matrices, got " + s);
            }
            int n = (int) s.get(r - 1);
            Shape batch = s.slice(0, r - 2);
            NDArray m = a.reshape(new Shape(batch.size(), n, n));
            NDArray det = ctx.manager().ones(new Shape(batch.size()), a.getDataType());
            for (int k = 0; k < n; k++) {
                int size = n - k;
                NDArray pivotIndex = m.get(new NDIndex(":, :, 0")).abs().argMax(1);
                NDArray ep = pivotIndex.oneHot(size).toType(a.getDataType(), false);
                NDArray e0 = ctx.manager().zeros(new Shape(size), a.getDataType());
                e0.set(new NDIndex(0), 1);
                NDArray e0b = e0.expandDims(0).broadcast(new Shape(batch.size(), size));
                NDArray eye = ctx.manager().eye(size, size, 0, a.getDataType()).expandDims(0);
                NDArray perm = eye.sub(outer(e0b, e0b))
                        .sub(outer(ep, ep))
                        .add(outer(e0b, ep))
                        .add(outer(ep, e0b));
                NDArray swapped = perm.matMul(m);
                NDArray moved = pivotIndex.neq(0).toType(a.getDataType(), false);
                det = det.mul(ScalarMath.mul(moved, -2).add(1));
                NDArray pivot = swapped.get(new NDIndex(":, 0, 0"));
                det = det.mul(pivot);
                if (k == n - 1) {
                    break;
                }
                NDArray zero = pivot.eq(0);
                NDArray safe = pivot.add(zero.toType(a.getDataType(), false));
                NDArray column = swapped.get(new NDIndex(":, 1:, 0:1"));
                NDArray row = swapped.get(new NDIndex(":, 0:1, 1:"));
                m = swapped.get(new NDIndex(":, 1:, 1:")).sub(column.matMul(row).div(safe.reshape(-1, 1, 1)));
            }
            return new NDList(det.reshape(batch));
        };
    }

    private static NDArray outer(NDArray u, NDArray v) {
        return u.expandDims(2).mul(v.expandDims(1));
    }
}
