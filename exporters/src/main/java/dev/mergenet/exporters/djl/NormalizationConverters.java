package dev.mergenet.exporters.djl;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.builder.OnnxOperator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** BatchNorm (inference form, running statistics) and LayerNorm (LayerNormalization, opset 17). */
final class NormalizationConverters {
    private NormalizationConverters() {}

    static final class BatchNormConverter implements BlockConverter {
        @Override
        public List<String> convert(ExportContext ctx, Block block, String path, List<String> inputs, Shape[] shapes) {
            int axis = (Integer) ExportContext.field(block, BatchNorm.class, "axis", path);
            int rank = shapes[0].dimension();
            if (axis != 1 && axis != 1 - rank) {
                throw new MergeNetException("block '" + path + "' (BatchNorm): axis " + axis
                        + " cannot be written as ONNX BatchNormalization, which normalizes axis 1");
            }
            float epsilon = (Float) ExportContext.field(block, BatchNorm.class, "epsilon", path);
            var g = ctx.graph();
            List<String> in = List.of(
                    inputs.get(0),
                    g.initializer(path + ".gamma", ExportContext.parameter(block, path, "gamma")),
                    g.initializer(path + ".beta", ExportContext.parameter(block, path, "beta")),
                    g.initializer(path + ".runningMean", ExportContext.parameter(block, path, "runningMean")),
                    g.initializer(path + ".runningVar", ExportContext.parameter(block, path, "runningVar")));
            return g.node(OnnxOperator.BATCH_NORMALIZATION, path, in, Map.of("epsilon", epsilon));
        }
    }

    static final class LayerNormConverter implements BlockConverter {
        @Override
        public List<String> convert(ExportContext ctx, Block block, String path, List<String> inputs, Shape[] shapes) {
            int[] axes = (int[]) ExportContext.field(block, LayerNorm.class, "axis", path);
            float epsilon = (Float) ExportContext.field(block, LayerNorm.class, "epsilon", path);
            int rank = shapes[0].dimension();
            if (axes == null) {
                // DJL's default: every axis but the batch
                axes = IntStream.range(1, rank).toArray();
            }
            int[] sorted =
                    Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
            for (int i = 0; i < sorted.length; i++) {
                if (sorted[i] != rank - sorted.length + i) {
                    throw new MergeNetException("block '" + path + "' (LayerNorm): axes "
                            + Arrays.toString(axes) + " are not the trailing axes of a rank-" + rank
                            + " input, which ONNX LayerNormalization needs");
                }
            }
            var g = ctx.graph();
            List<String> in = List.of(
                    inputs.get(0),
                    g.initializer(path + ".gamma", ExportContext.parameter(block, path, "gamma")),
                    g.initializer(path + ".beta", ExportContext.parameter(block, path, "beta")));
            return g.node(
                    OnnxOperator.LAYER_NORMALIZATION, path, in, Map.of("axis", (long) sorted[0], "epsilon", epsilon));
        }
    }
}
