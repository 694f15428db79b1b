package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.Arrays;

/** ConstantOfShape: a tensor of the given shape filled with the one-element 'value' (default float32 0). */
@OnnxOp(
        type = "ConstantOfShape",
        since = {9, 20, 21})
public final class ConstantOfShape implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        TensorProto t = node.attrs().getTensor("value");
        TensorData value = t == null ? null : TensorDecoder.decode(t, node.describe(), null);
        if (value != null && value.shape().size() != 1) {
            throw new MergeNetException(node.describe() + ": 'value' must hold one element, not " + value.shape());
        }
        return (ctx, in) -> {
            if (in.get(0).getShape().dimension() != 1) {
                throw new OnnxFormatException(node.describe() + ": " + in.describe(0) + " must be a 1-D shape");
            }
            long[] dims = in.longs(0);
            long[] nonZero = Arrays.stream(dims).map(d -> d == 0 ? 1 : d).toArray();
            // strides ignore a zero dim: [0, 2^62, 4] holds nothing but its strides overflow
            ShapeMath.elements(
                    nonZero,
                    node.describe() + ": output for input '" + node.inputs().get(0) + "'");
            OpCost.of(node.describe() + ": input '" + node.inputs().get(0) + "' " + java.util.Arrays.toString(dims))
                    .tensor("output", dims, value == null ? DataType.FLOAT32 : value.dataType())
                    .work(dims, 1);
            Shape shape = new Shape(dims);
            if (value == null) {
                return new NDList(ctx.manager().zeros(shape, DataType.FLOAT32));
            }
            NDArray v = value.toNDArray(ctx.manager()).reshape(new Shape());
            return new NDList(v.broadcast(shape).duplicate());
        };
    }
}
