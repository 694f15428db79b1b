package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * AffineGrid: the sampling grid (N, H, W, 2) or (N, D, H, W, 3) of the affine maps theta applied to the normalized
 * output coordinates (x along the last axis first), ready for GridSample. Differentiable in theta.
 */
@OnnxOp(type = "AffineGrid", since = 20)
public final class AffineGrid implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean alignCorners = node.attrs().getInt("align_corners", 0) != 0;
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray theta = in.get(0);
            long[] size = in.longs(1);
            int r = size.length - 2;
            if ((r != 2 && r != 3)
                    || theta.getShape().dimension() != 3
                    || theta.getShape().get(1) != r
                    || theta.getShape().get(2) != r + 1
                    || theta.getShape().get(0) != size[0]) {
                throw new OnnxFormatException(
                        owner + ": theta " + theta.getShape() + " does not fit size " + Arrays.toString(size));
            }
            long[] spatial = Arrays.copyOfRange(size, 2, size.length);
            long[] out = new long[r + 2];
            out[0] = size[0];
            System.arraycopy(spatial, 0, out, 1, r);
            out[r + 1] = r;
            // the host table of (x, y[, z], 1) rows and the grid both grow with the size input's values
            OpCost.of(() -> owner + ": theta " + theta.getShape() + ", size input '"
                            + node.inputs().get(1) + "' " + Arrays.toString(size))
                    .tensor("output", out, theta.getDataType())
                    .tensor(
                            "base grid",
                            new long[] {ShapeMath.elements(spatial, owner + ": size"), r + 1},
                            Double.BYTES)
                    .work(out, r + 1);
            int points = Math.toIntExact(ShapeMath.elements(spatial, owner + ": size"));
            // Rows (x, y[, z], 1) for every output position, x varying fastest.
            double[] base = new double[points * (r + 1)];
            for (int p = 0; p < points; p++) {
                int rest = p;
                for (int i = r - 1; i >= 0; i--) {
                    long n = spatial[i];
                    int at = (int) (rest % n);
                    rest /= (int) n;
                    base[p * (r + 1) + (r - 1 - i)] = coordinate(at, n, alignCorners);
                }
                base[p * (r + 1) + r] = 1;
            }
            NDArray rows =
                    ctx.manager().create(base, new Shape(1, points, r + 1)).toType(theta.getDataType(), false);
            NDArray grid = rows.matMul(theta.transpose(0, 2, 1));
            return new NDList(grid.reshape(new Shape(out)));
        };
    }

    private static double coordinate(int i, long n, boolean alignCorners) {
        if (alignCorners) {
            return n == 1 ? 0 : -1 + 2.0 * i / (n - 1);
        }
        return (2.0 * i + 1) / n - 1;
    }
}
