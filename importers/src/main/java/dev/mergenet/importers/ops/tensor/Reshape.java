package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * Reshape: target shape from the second input (the 'shape' attribute before opset 5). A 0 copies the input's
 * dim unless allowzero=1 (opset 14), and one -1 is inferred.
 */
@OnnxOp(
        type = "Reshape",
        since = {1, 5, 13, 14, 19, 21})
public final class Reshape implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean allowZero = node.attrs().getInt("allowzero", 0) != 0;
        long[] attrShape = node.sinceVersion() < 5 ? node.attrs().getInts("shape", null) : null;
        if (node.sinceVersion() < 5 && attrShape == null) {
            throw new MergeNetException(node.describe() + ": the 'shape' attribute is missing");
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] requested = attrShape != null ? attrShape : in.longs(1);
            return new NDList(x.reshape(new Shape(target(x.getShape().getShape(), requested, allowZero, node))));
        };
    }

    static long[] target(long[] dims, long[] requested, boolean allowZero, OnnxNode node) {
        long[] out = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= dims.length) {
                    throw new MergeNetException(
                            node.describe() + ": shape " + Arrays.toString(requested) + " copies dim " + i
                                    + " but the input " + Arrays.toString(dims) + " has rank " + dims.length);
                }
                out[i] = dims[i];
            }
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw new MergeNetException(
                            node.describe() + ": shape " + Arrays.toString(requested) + " has two -1");
                }
                infer = i;
            } else if (out[i] < 0) {
                throw new MergeNetException(
                        node.describe() + ": shape " + Arrays.toString(requested) + " has dim " + out[i]);
            } else {
                known = ShapeMath.multiply(known, out[i], node.describe() + ": shape input", requested);
            }
        }
        long total = Axes.product(dims, 0, dims.length);
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                throw new MergeNetException(node.describe() + ": cannot reshape " + Arrays.toString(dims) + " to "
                        + Arrays.toString(requested));
            }
            out[infer] = total / known;
        } else if (known != total) {
            throw new MergeNetException(node.describe() + ": cannot reshape " + Arrays.toString(dims) + " (" + total
                    + " elements) to " + Arrays.toString(out));
        }
        return out;
    }
}
