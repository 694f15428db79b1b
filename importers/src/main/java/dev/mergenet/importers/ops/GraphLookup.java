package dev.mergenet.importers.ops;

import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** One graph's initializer names and Constant producers, indexed once so node queries do not scan the graph. */
public final class GraphLookup {
    private final GraphProto graph;
    private final Set<String> initializers = new HashSet<>();
    private final Map<String, NodeProto> constants = new HashMap<>();

    public GraphLookup(GraphProto graph) {
        this.graph = graph;
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

    public GraphProto graph() {
        return graph;
    }

    public boolean isInitializer(String name) {
        return initializers.contains(name);
    }

    /** The Constant node producing {@code name}, or null. */
    public NodeProto constantProducing(String name) {
        return constants.get(name);
    }
}
