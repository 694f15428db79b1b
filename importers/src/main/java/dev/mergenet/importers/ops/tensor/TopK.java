package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;

/**
 * TopK: the k largest (or smallest, opset 11) entries along 'axis' and their int64 indices; k is an attribute
 * before opset 10 and an input after. Values are gathered through the indices so gradients reach the input.
 */
public final class TopK implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().getInt("axis", -1);
        boolean largest = node.attrs().getInt("largest", 1) != 0;
        boolean sorted = node.attrs().getInt("sorted", 1) != 0;
        boolean kInput = node.sinceVersion() >= 10;
        long attrK = node.attrs().getInt("k", -1);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int a = Axes.normalize(axis, x.getShape().dimension(), node, "axis");
            long k = kInput ? in.longs(1)[0] : attrK;
            long dim = x.getShape().get(a);
            if (k < 0 || k > dim) {
                throw new MergeNetException(node.describe() + ": k " + k + " is out of range for axis " + a
                        + " of size " + dim);
            }
            NDArray indices = x.topK((int) k, a, largest, sorted).get(1).toType(DataType.INT64, false);
            return new NDList(x.gather(indices, a), indices);
        };
    }
}
