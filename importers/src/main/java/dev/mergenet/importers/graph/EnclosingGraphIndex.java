package dev.mergenet.importers.graph;

import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.ops.spi.EnclosingGraph;
import dev.mergenet.importers.ops.spi.Subgraph;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** What a node may ask about its own graph, answered from one {@link GraphIndex} built once per graph. */
final class EnclosingGraphIndex implements EnclosingGraph {
    private final GraphIndex index;
    private final Function<GraphProto, Subgraph> compiler;
    private final Set<String> readOutsideNodeInputs = new HashSet<>();

    /** {@code compiler} compiles a slice in the graph's own scope (its free names read the running graph). */
    EnclosingGraphIndex(GraphProto graph, Function<GraphProto, Subgraph> compiler) {
        this.index = new GraphIndex(graph);
        this.compiler = compiler;
        graph.getOutputList().forEach(o -> readOutsideNodeInputs.add(o.getName()));
        for (NodeProto n : graph.getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                a.getGraphsList().forEach(this::addEveryNameIn);
                if (a.hasG()) {
                    addEveryNameIn(a.getG());
                }
            }
        }
    }

    /** Every name a subgraph's nodes read or its outputs name: any of them may be an outer value. */
    private void addEveryNameIn(GraphProto g) {
        g.getOutputList().forEach(o -> readOutsideNodeInputs.add(o.getName()));
        for (NodeProto n : g.getNodeList()) {
            readOutsideNodeInputs.addAll(n.getInputList());
            for (AttributeProto a : n.getAttributeList()) {
                a.getGraphsList().forEach(this::addEveryNameIn);
                if (a.hasG()) {
                    addEveryNameIn(a.getG());
                }
            }
        }
    }

    @Override
    public String soleReaderProducer(String value) {
        if (index.consumerCount(value) != 1 || readOutsideNodeInputs.contains(value)
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
