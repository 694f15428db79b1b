package dev.mergenet.importers.graph;

import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.onnx.GraphOrder;
import dev.mergenet.importers.ops.spi.EnclosingGraph;
import dev.mergenet.importers.ops.spi.Subgraph;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** What a node may ask about its own graph, answered from one {@link GraphIndex} built once per graph. */
final class EnclosingGraphIndex implements EnclosingGraph {
    private final GraphIndex index;
    private final Function<GraphProto, Subgraph> compiler;
    /** Per value, how many nodes read it (their inputs or their subgraphs), plus one if it is a graph output. */
    private final Map<String, Integer> readers = new HashMap<>();
    /** A Gradient node re-runs a slice of this graph that may read any earlier value as it was produced. */
    private final boolean hasGradient;

    /** {@code compiler} compiles a slice in the graph's own scope (its free names read the running graph). */
    EnclosingGraphIndex(GraphProto graph, Function<GraphProto, Subgraph> compiler) {
        this.index = new GraphIndex(graph);
        this.compiler = compiler;
        graph.getOutputList().forEach(o -> readers.merge(o.getName(), 1, Integer::sum));
        for (NodeProto n : graph.getNodeList()) {
            GraphOrder.dependencies(n).forEach(v -> readers.merge(v, 1, Integer::sum));
        }
        hasGradient = graph.getNodeList().stream().anyMatch(n -> n.getOpType().equals("Gradient"));
    }

    @Override
    public String soleReaderProducer(String value) {
        if (hasGradient
                || index.consumerCount(value) != 1
                || readers.getOrDefault(value, 0) != 1
                || index.producers(value).size() != 1) {
            return null;
        }
        return index.producerNode(value).getOpType();
    }

    @Override
    public boolean isInitializer(String value) {
        return index.isInitializer(value);
    }

    /** The Constant node producing {@code value} (the first one if several do), or null. */
    @Override
    public NodeProto constantProducing(String value) {
        for (int p : index.producers(value)) {
            NodeProto n = index.node(p);
            if (n.getOpType().equals("Constant")) {
                return n;
            }
        }
        return null;
    }

    @Override
    public Subgraph slice(List<String> xs, String y) {
        return compiler.apply(sliceProto(index, xs, y));
    }

    /** The nodes between xs and y, as a graph with inputs xs and output y (other reads stay free names). */
    static GraphProto sliceProto(GraphIndex index, List<String> xs, String y) {
        Set<NodeProto> needed = new HashSet<>();
        List<String> work = new ArrayList<>(List.of(y));
        while (!work.isEmpty()) {
            String v = work.remove(work.size() - 1);
            NodeProto n = index.producerNode(v);
            if (xs.contains(v) || n == null || !needed.add(n)) {
                continue;
            }
            if (n.getOpType().equals("Gradient")) {
                // compiling the slice would prepare that Gradient, which slices again: without end if it is this one
                throw new OnnxFormatException("'" + y + "' depends on '" + v + "', an output of Gradient node '"
                        + n.getName() + "': a gradient is not taken through a Gradient node");
            }
            work.addAll(n.getInputList());
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("gradient_slice");
        for (NodeProto n : index.graph().getNodeList()) {
            if (needed.contains(n)) {
                g.addNode(n);
            }
        }
        xs.forEach(x -> g.addInput(ValueInfoProto.newBuilder().setName(x)));
        g.addOutput(ValueInfoProto.newBuilder().setName(y));
        return g.build();
    }
}
