package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Gemm: alpha * op(A) @ op(B) + beta * C, op being an optional transpose; C broadcasts to (M, N). */
@OnnxOp(
        type = "Gemm",
        since = {1, 6, 7, 9, 11, 13})
public final class Gemm implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        float alpha = node.attrs().getFloat("alpha", 1f);
        float beta = node.attrs().getFloat("beta", 1f);
        boolean transA = node.attrs().getInt("transA", 0) != 0;
        boolean transB = node.attrs().getInt("transB", 0) != 0;
        return (ctx, in) -> {
            NDArray a = in.get(0);
            NDArray b = in.get(1);
            DataType type = in.get(0).getDataType();
            if (a.getShape().dimension() != 2 || b.getShape().dimension() != 2) {
                throw new MergeNetException(
                        node.describe() + ": A and B must be 2-D, got " + a.getShape() + " and " + b.getShape());
            }
            long inner = a.getShape().get(transA ? 0 : 1);
            if (inner != b.getShape().get(transB ? 1 : 0) || a.getDataType() != b.getDataType()) {
                throw new OnnxFormatException(node.describe() + ": " + in.describe(0) + (transA ? " transposed" : "")
                        + " and " + in.describe(1) + (transB ? " transposed" : "")
                        + " have no matrix product (inner dimensions or types differ)");
            }
            NDArray c0 = in.optional(2);
            if (alpha == 1f
                    && (beta == 1f || c0 == null)
                    && type.isFloating()
                    && (c0 == null || c0.getDataType() == type && c0.getShape().dimension() == 1)) {
                // the fully connected layer of exported models: one fused x @ W^T + b
                NDArray x = transA ? a.transpose() : a;
                NDArray w = transB ? b : b.transpose();
                return new NDList(x.getNDArrayInternal().linear(x, w, c0).singletonOrThrow());
            }
            NDArray y = (transA ? a.transpose() : a).matMul(transB ? b.transpose() : b);
            if (alpha != 1f) {
                y = y.mul(Numeric.scalar(ctx.manager(), alpha, y.getDataType()));
            }
            if (in.has(2) && beta != 0f) {
                NDArray c = Numeric.as(in.get(2), y.getDataType());
                if (beta != 1f) {
                    c = c.mul(Numeric.scalar(ctx.manager(), beta, c.getDataType()));
                }
                y = y.add(c);
            }
            return new NDList(Numeric.as(y, type));
        };
    }
}
