package dev.mergenet.importers.ops.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.graph.CompiledGraph;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gradient (ai.onnx.preview.training): dY/dX for each X in xs. The nodes that compute y from xs are sliced out
 * of the enclosing graph at import; each run re-evaluates that slice on fresh copies of xs under autograd.
 */
public final class Gradient implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        List<String> xs = node.attrs().getStrings("xs");
        String y = node.attrs().getString("y", null);
        if (y == null || xs.isEmpty() || node.enclosingGraph() == null) {
            throw new UnsupportedOperationException("needs the xs and y attributes and its enclosing graph");
        }
        CompiledGraph slice = node.compile(slice(node.enclosingGraph(), xs, y));
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

    /** The nodes between xs and y, as a graph with inputs xs and output y (other reads stay free names). */
    static GraphProto slice(GraphProto graph, List<String> xs, String y) {
        GraphIndex index = new GraphIndex(graph);
        Set<NodeProto> needed = new HashSet<>();
        List<String> work = new ArrayList<>(List.of(y));
        while (!work.isEmpty()) {
            String v = work.remove(work.size() - 1);
            NodeProto n = index.producerNode(v);
            if (xs.contains(v) || n == null || !needed.add(n)) {
                continue;
            }
            work.addAll(n.getInputList());
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("gradient_slice");
        for (NodeProto n : graph.getNodeList()) {
            if (needed.contains(n)) {
                g.addNode(n);
            }
        }
        xs.forEach(x -> g.addInput(ValueInfoProto.newBuilder().setName(x)));
        g.addOutput(ValueInfoProto.newBuilder().setName(y));
        return g.build();
    }
}
