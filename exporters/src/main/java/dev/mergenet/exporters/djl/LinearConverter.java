package dev.mergenet.exporters.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.mergenet.exporters.builder.OnnxOperator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** DJL Linear (weight: units x in): Gemm with transB for 2-D inputs, MatMul + Add on the last axis otherwise. */
final class LinearConverter implements BlockConverter {
    @Override
    public List<String> convert(ExportContext ctx, Block block, String path, List<String> inputs, Shape[] shapes) {
        NDArray weight = ExportContext.parameter(block, path, "weight");
        boolean bias = ExportContext.hasParameter(block, "bias");
        String x = inputs.get(0);
        if (shapes[0].dimension() == 2) {
            List<String> in = new ArrayList<>(List.of(x, ctx.graph().initializer(path + ".weight", weight)));
            if (bias) {
                in.add(ctx.graph().initializer(path + ".bias", ExportContext.parameter(block, path, "bias")));
            }
            return ctx.graph().node(OnnxOperator.GEMM, path, in, Map.of("transB", 1L));
        }
        String wt;
        try (NDArray transposed = weight.transpose()) {
            wt = ctx.graph().initializer(path + ".weight_t", transposed);
        }
        String y = ctx.graph().node1(OnnxOperator.MAT_MUL, path + "/matmul", x, wt);
        if (!bias) {
            return List.of(y);
        }
        String b = ctx.graph().initializer(path + ".bias", ExportContext.parameter(block, path, "bias"));
        return List.of(ctx.graph().node1(OnnxOperator.ADD, path + "/bias", y, b));
    }
}
