package dev.mergenet.exporters.djl;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.builder.OnnxOperator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** SequentialBlock (a chain) and ParallelBlock (branches on the same input, joined by sum or concat). */
final class ContainerConverters {
    private ContainerConverters() {}

    static final class SequentialConverter implements BlockConverter {
        @Override
        public List<String> convert(ExportContext ctx, Block block, String path, List<String> inputs, Shape[] shapes) {
            List<String> current = inputs;
            Shape[] currentShapes = shapes;
            for (var child : block.getChildren()) {
                Block b = child.getValue();
                current = ctx.convert(b, path + "/" + child.getKey(), current, currentShapes);
                currentShapes = b.getOutputShapes(currentShapes);
            }
            return current;
        }
    }

    static final class ParallelConverter implements BlockConverter {
        @Override
        public List<String> convert(ExportContext ctx, Block block, String path, List<String> inputs, Shape[] shapes) {
            if (!(ExportableBlocks.spec(block) instanceof ExportableBlocks.Join join)) {
                throw new MergeNetException("block '" + path + "' (ParallelBlock): its join function is opaque;"
                        + " build it with ExportableBlocks.residual, sum or concat so it can be written to ONNX");
            }
            List<String> branchOutputs = new ArrayList<>();
            for (var child : ((ParallelBlock) block).getChildren()) {
                List<String> out = ctx.convert(child.getValue(), path + "/" + child.getKey(), inputs, shapes);
                if (out.size() != 1) {
                    throw new MergeNetException("block '" + path + "/" + child.getKey() + "' gives " + out.size()
                            + " outputs; a joined branch must give one");
                }
                branchOutputs.add(out.get(0));
            }
            var g = ctx.graph();
            if (!join.sum()) {
                return g.node(OnnxOperator.CONCAT, path + "/concat", branchOutputs, Map.of("axis", (long) join.axis()));
            }
            if (branchOutputs.size() == 2) {
                return g.node(OnnxOperator.ADD, path + "/add", branchOutputs, Map.of());
            }
            return g.node(OnnxOperator.SUM, path + "/sum", branchOutputs, Map.of());
        }
    }
}
