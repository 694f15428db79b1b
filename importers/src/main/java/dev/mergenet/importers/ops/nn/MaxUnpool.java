package dev.mergenet.importers.ops.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
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
 * MaxUnpool: scatters X into zeros at the flat indices I (as MaxPool's Indices output gives them). The output
 * indices address the shape (in - 1) * stride + kernel - pads per spatial axis; the optional output_shape
 * input extends (or trims) that shape at the end of each spatial axis.
 */
@OnnxOp(
        type = "MaxUnpool",
        since = {9, 11, 22})
public final class MaxUnpool implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long[] kernel = node.attrs().getInts("kernel_shape", null);
        if (kernel == null) {
            throw new OnnxFormatException(node.describe() + ": required attribute 'kernel_shape' is missing");
        }
        long[] strides = node.attrs().getInts("strides", null);
        long[] pads = node.attrs().getInts("pads", null);
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int n = x.getShape().dimension() - 2;
            if (n < 1
                    || kernel.length != n
                    || (strides != null && strides.length != n)
                    || (pads != null && pads.length != 2 * n)) {
                throw new OnnxFormatException(
                        owner + ": kernel_shape, strides and pads do not fit input " + x.getShape());
            }
            long[] inferred = x.getShape().getShape().clone();
            for (int i = 0; i < n; i++) {
                long s = strides == null ? 1 : strides[i];
                long p = pads == null ? 0 : ShapeMath.add(pads[i], pads[i + n], owner);
                inferred[2 + i] = ShapeMath.add(
                        ShapeMath.add(ShapeMath.multiply(inferred[2 + i] - 1, s, owner, inferred), kernel[i], owner),
                        -p,
                        owner);
                if (inferred[2 + i] < 0) {
                    throw new OnnxFormatException(owner + ": output size " + inferred[2 + i] + " along spatial axis "
                            + i + " is negative for input " + x.getShape());
                }
            }
            OpCost cost = OpCost.of(() -> owner + ": input " + x.getShape() + ", kernel "
                            + java.util.Arrays.toString(kernel) + ", output " + java.util.Arrays.toString(inferred))
                    .tensor("output", inferred, x.getDataType())
                    .work(inferred, 1);
            long total = new Shape(inferred).size();
            NDArray index = in.get(1).toType(DataType.INT64, false).flatten();
            NDArray y;
            try {
                y = ctx.manager()
                        .zeros(new Shape(total), x.getDataType())
                        .scatter(index, x.flatten(), 0)
                        .reshape(new Shape(inferred));
            } catch (EngineException e) {
                // an index outside the output is a value check, left to libtorch's one refusal, named here
                throw new OnnxFormatException(
                        owner + ": " + in.describe(1) + " does not address the output "
                                + java.util.Arrays.toString(inferred) + " of " + in.describe(0) + " ("
                                + e.getMessage().lines().findFirst().orElse("") + ")",
                        e);
            }
            if (!in.has(2)) {
                return new NDList(y);
            }
            // Indices address the inferred shape (as MaxPool produced them); a given output_shape extends it at the
            // end.
            long[] outShape = in.longs(2);
            if (outShape.length != n + 2 || outShape[0] != inferred[0] || outShape[1] != inferred[1]) {
                throw new OnnxFormatException(
                        owner + ": output_shape " + Arrays.toString(outShape) + " does not fit input " + x.getShape());
            }
            cost.tensor("output for output_shape input '" + node.inputs().get(2) + "'", outShape, x.getDataType());
            long[] begin = new long[n];
            long[] end = new long[n];
            for (int i = 0; i < n; i++) {
                end[i] = outShape[2 + i] - inferred[2 + i];
            }
            return new NDList(SpatialPadding.apply(y, begin, end, 0));
        };
    }
}
