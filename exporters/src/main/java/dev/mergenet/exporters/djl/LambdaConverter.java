package dev.mergenet.exporters.djl;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.builder.OnnxOperator;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * LambdaBlocks: DJL's parameter-free activations, flatten, identity and global pools are recognised by the
 * name DJL's factories give them; blocks made through {@link ExportableBlocks} by what it remembered.
 */
final class LambdaConverter implements BlockConverter {
    /** DJL factory names of the parameter-free blocks we can write, with their single ONNX op. */
    private static final Map<String, OnnxOperator> SIMPLE = Map.of(
            "ReLU",
            OnnxOperator.RELU,
            "sigmoid",
            OnnxOperator.SIGMOID,
            "Tanh",
            OnnxOperator.TANH,
            "softPlus",
            OnnxOperator.SOFTPLUS,
            "softSign",
            OnnxOperator.SOFTSIGN,
            "SELU",
            OnnxOperator.SELU,
            "identity",
            OnnxOperator.IDENTITY);

    private static final Set<String> GLOBAL_AVG = Set.of("globalAvgPool1d", "globalAvgPool2d", "globalAvgPool3d");
    private static final Set<String> GLOBAL_MAX = Set.of("globalMaxPool1d", "globalMaxPool2d", "globalMaxPool3d");

    static Set<String> knownNames() {
        Set<String> all = new TreeSet<>(SIMPLE.keySet());
        all.addAll(GLOBAL_AVG);
        all.addAll(GLOBAL_MAX);
        all.addAll(List.of("ReLU6", "batchFlatten"));
        return all;
    }

    @Override
    public List<String> convert(ExportContext ctx, Block block, String path, List<String> inputs, Shape[] shapes) {
        var g = ctx.graph();
        ExportableBlocks.Spec spec = ExportableBlocks.spec(block);
        String x = inputs.get(0);
        if (spec instanceof ExportableBlocks.LeakyRelu l) {
            return g.node(OnnxOperator.LEAKY_RELU, path, List.of(x), Map.of("alpha", l.alpha()));
        }
        if (spec instanceof ExportableBlocks.Elu e) {
            return g.node(OnnxOperator.ELU, path, List.of(x), Map.of("alpha", e.alpha()));
        }
        if (spec instanceof ExportableBlocks.Pool2d p) {
            return pool(ctx, path, x, p.max(), p.kernel(), p.stride(), p.padding(), p.countIncludePad());
        }
        if (spec instanceof ExportableBlocks.Pool1d p) {
            return pool(ctx, path, x, p.max(), p.kernel(), p.stride(), p.padding(), p.countIncludePad());
        }
        String name = ((LambdaBlock) block).getName();
        OnnxOperator simple = SIMPLE.get(name);
        if (simple != null) {
            return g.node(simple, path, List.of(x), Map.of());
        }
        Shape out = block.getOutputShapes(shapes)[0];
        switch (name) {
            case "ReLU6": {
                String lo = g.initializer(scalar(path + ".min", 0f));
                String hi = g.initializer(scalar(path + ".max", 6f));
                return g.node(OnnxOperator.CLIP, path, List.of(x, lo, hi), Map.of());
            }
            case "batchFlatten":
                if (out.dimension() != 2) {
                    break;
                }
                return g.node(OnnxOperator.FLATTEN, path, List.of(x), Map.of("axis", 1L));
            default:
                break;
        }
        if (GLOBAL_AVG.contains(name) || GLOBAL_MAX.contains(name)) {
            OnnxOperator op =
                    GLOBAL_AVG.contains(name) ? OnnxOperator.GLOBAL_AVERAGE_POOL : OnnxOperator.GLOBAL_MAX_POOL;
            String pooled = g.node1(op, path, x);
            // DJL's global pools drop the spatial axes; ONNX keeps them as size 1
            return out.dimension() == 2
                    ? g.node(OnnxOperator.FLATTEN, path + "/flatten", List.of(pooled), Map.of("axis", 1L))
                    : List.of(pooled);
        }
        throw new MergeNetException("block '" + path + "' (LambdaBlock '" + name + "'): cannot be written to ONNX:"
                + " its function is opaque. Parameter-free blocks DJL names " + knownNames() + " are supported;"
                + " build pooling, LeakyReLU, ELU and parallel joins with ExportableBlocks");
    }

    private static List<String> pool(
            ExportContext ctx,
            String path,
            String x,
            boolean max,
            Shape kernel,
            Shape stride,
            Shape padding,
            boolean countIncludePad) {
        long[] pad = padding.getShape();
        long[] pads = new long[pad.length * 2];
        for (int i = 0; i < pad.length; i++) {
            pads[i] = pad[i];
            pads[i + pad.length] = pad[i];
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("kernel_shape", kernel.getShape());
        attrs.put("strides", stride.getShape());
        attrs.put("pads", pads);
        if (!max) {
            attrs.put("count_include_pad", countIncludePad ? 1L : 0L);
        }
        return ctx.graph().node(max ? OnnxOperator.MAX_POOL : OnnxOperator.AVERAGE_POOL, path, List.of(x), attrs);
    }

    private static TensorProto scalar(String name, float v) {
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(v)
                .build();
    }
}
