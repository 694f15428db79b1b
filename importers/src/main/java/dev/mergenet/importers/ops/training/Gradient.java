package dev.mergenet.importers.ops.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.importers.ops.spi.Subgraph;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient (ai.onnx.preview.training): dY/dX for each X in xs. The nodes that compute y from xs are sliced out
 * of the enclosing graph at import; each run re-evaluates that slice on fresh copies of xs under autograd.
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
        Subgraph slice = node.enclosingGraph().slice(xs, y);
        return (ctx, in) -> {
            List<NDArray> copies = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                NDArray x = in.get(i).duplicate();
                x.setRequiresGradient(true);
                copies.add(x);
            }
            try (GradientCollector collector = TorchEngine.newGradientCollector()) {
                NDArray out = ctx.runSubgraph(slice, copies).singletonOrThrow();
                collector.backward(out);
            }
            NDList grads = new NDList();
            for (NDArray x : copies) {
                grads.add(x.getGradient().duplicate());
            }
            return grads;
        };
    }
}
