package dev.mergenet.importers.ops;

import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;

/** One graph's initializer names and Constant producers, indexed once so node queries do not scan the graph. */
public final class GraphLookup {
    private final GraphIndex index;

    public GraphLookup(GraphProto graph) {
        this.index = new GraphIndex(graph);
    }

    public GraphProto graph() {
        return index.graph();
    }

    public boolean isInitializer(String name) {
        return index.isInitializer(name);
    }

    /** The Constant node producing {@code name} (the first one if several do), or null. */
    public NodeProto constantProducing(String name) {
        for (int p : index.producers(name)) {
            NodeProto n = index.node(p);
            if (n.getOpType().equals("Constant")) {
                return n;
            }
        }
        return null;
    }
}
