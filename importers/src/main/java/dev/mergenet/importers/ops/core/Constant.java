package dev.mergenet.importers.ops.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.ops.spi.Attributes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.function.Function;

/**
 * Constant: the value attribute (tensor, or value_float(s)/value_int(s)). Decoded once at import to host
 * bytes; each run copies them to the step's device. Weight-like constants of the top graph never get here:
 * the block hoists them into parameters.
 */
@OnnxOp(
        type = "Constant",
        since = {1, 9, 11, 12, 13, 19, 21})
public final class Constant implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        Function<NDManager, NDArray> make = maker(node);
        return (ctx, in) -> new NDList(make.apply(ctx.manager()));
    }

    private static Function<NDManager, NDArray> maker(OnnxNode node) {
        Attributes a = node.attrs();
        if (a.getTensor("value") != null) {
            TensorData data = TensorDecoder.decode(a.getTensor("value"), node.describe(), null);
            return data::toNDArray;
        }
        if (a.has("value_float")) {
            float v = a.getFloat("value_float", 0f);
            return m -> m.create(v);
        }
        if (a.has("value_floats")) {
            float[] v = a.getFloats("value_floats", null);
            return m -> m.create(v);
        }
        if (a.has("value_int")) {
            long v = a.getInt("value_int", 0);
            return m -> m.create(v);
        }
        if (a.has("value_ints")) {
            long[] v = a.getInts("value_ints", null);
            return m -> m.create(v, new Shape(v.length));
        }
        throw new UnsupportedOperationException("only tensor, float(s) and int(s) values are supported"
                + (a.has("sparse_value")
                        ? " (sparse_value given)"
                        : a.has("value_string") || a.has("value_strings") ? " (string value given)" : ""));
    }
}
