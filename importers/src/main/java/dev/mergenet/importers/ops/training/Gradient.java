package dev.mergenet.importers.ops.training;

import ai.djl.ndarray.NDArray;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.importers.ops.spi.Subgraph;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient (ai.onnx.preview.training): dY/dX for each X in xs. The nodes that compute y from xs are sliced out
 * of the enclosing graph at import; each run re-evaluates that slice on fresh copies of xs under autograd, with
 * every other value it reads held constant, so a model containing it trains (its outputs are constants there).
 */
@OnnxOp(domain = "ai.onnx.preview.training", type = "Gradient", since = 1)
public final class Gradient implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        List<String> xs = node.attrs().getStrings("xs");
        String y = node.attrs().getString("y", null);
        if (y == null || xs.isEmpty() || node.enclosingGraph() == null) {
            throw new UnsupportedOperationException("needs the xs and y attributes and its enclosing graph");
        }
        Subgraph slice;
        try {
            slice = node.enclosingGraph().slice(xs, y);
        } catch (OnnxFormatException e) {
            throw new OnnxFormatException(node.describe() + ": " + e.getMessage(), e);
        }
        return (ctx, in) -> {
            List<NDArray> at = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                at.add(in.get(i));
            }
            return ctx.gradients(slice, at);
        };
    }
}
