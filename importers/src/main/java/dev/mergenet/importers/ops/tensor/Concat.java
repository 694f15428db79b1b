package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** Concat: joins the inputs along 'axis' (default 1 in opset 1, required later; negative from opset 11). */
@OnnxOp(
        type = "Concat",
        since = {1, 4, 11, 13})
public final class Concat implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        if (node.sinceVersion() >= 4 && !node.attrs().has("axis")) {
            throw new MergeNetException(node.describe() + ": required attribute 'axis' is missing");
        }
        long axis = node.attrs().getInt("axis", 1);
        return (ctx, in) -> {
            NDList parts = new NDList();
            for (NDArray a : in.all()) {
                if (a != null) {
                    parts.add(a);
                }
            }
            if (parts.isEmpty()) {
                throw new MergeNetException(node.describe() + ": no inputs");
            }
            int a = Axes.normalize(axis, parts.head().getShape().dimension(), node, "axis");
            long[] first = parts.head().getShape().getShape();
            for (int i = 1; i < parts.size(); i++) {
                long[] other = parts.get(i).getShape().getShape();
                boolean fits = other.length == first.length;
                for (int d = 0; fits && d < first.length; d++) {
                    fits = d == a || other[d] == first[d];
                }
                if (!fits) {
                    throw new OnnxFormatException(
                            node.describe() + ": inputs " + parts.head().getShape() + " and "
                                    + parts.get(i).getShape() + " differ in rank or outside axis " + a);
                }
            }
            if (parts.size() == 1) {
                return new NDList(parts.head().reshape(parts.head().getShape()));
            }
            return new NDList(NDArrays.concat(parts, a));
        };
    }
}
