package dev.mergenet.importers.graph;

import dev.mergenet.importers.ops.spi.EnclosingGraph;
import dev.mergenet.importers.ops.spi.Subgraph;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** One graph's initializer names and Constant producers, indexed once and shared by the graph's nodes. */
final class EnclosingGraphIndex implements EnclosingGraph {
    private final GraphProto graph;
    private final Function<GraphProto, Subgraph> compiler;
    private final Set<String> initializers = new HashSet<>();
    private final Map<String, NodeProto> constants = new HashMap<>();

    /** {@code compiler} compiles a slice in the graph's own scope (its free names read the running graph). */
    EnclosingGraphIndex(GraphProto graph, Function<GraphProto, Subgraph> compiler) {
        this.graph = graph;
        this.compiler = compiler;
        for (TensorProto t : graph.getInitializerList()) {
            initializers.add(t.getName());
        }
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Constant")) {
                for (String out : n.getOutputList()) {
                    constants.putIfAbsent(out, n);
                }
            }
        }
    }

    @Override
    public boolean isInitializer(String value) {
        return initializers.contains(value);
    }

    @Override
    public NodeProto constantProducing(String value) {
        return constants.get(value);
    }

    @Override
    public Subgraph slice(List<String> xs, String y) {
        return compiler.apply(sliceProto(graph, xs, y));
    }

    /** The nodes between xs and y, as a graph with inputs xs and output y (other reads stay free names). */
    static GraphProto sliceProto(GraphProto graph, List<String> xs, String y) {
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            n.getOutputList().forEach(o -> producer.put(o, n));
        }
        Set<NodeProto> needed = new HashSet<>();
        List<String> work = new ArrayList<>(List.of(y));
        while (!work.isEmpty()) {
            String v = work.remove(work.size() - 1);
            NodeProto n = producer.get(v);
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
