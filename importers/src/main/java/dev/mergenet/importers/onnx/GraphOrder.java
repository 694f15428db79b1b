package dev.mergenet.importers.onnx;

import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The order in which a graph's nodes can run, and the one check of it: the importer compiles in this order and
 * the writer refuses to write a graph that has none (a cycle, or a value that nothing defines).
 */
public final class GraphOrder {
    private GraphOrder() {}

    /**
     * Kahn's order, taking the earliest ready node first, so an already-sorted graph keeps its order. Subgraph
     * free names count as node inputs; {@code available} holds inputs, initializers and outer names.
     */
    public static List<NodeProto> order(List<NodeProto> nodes, Set<String> available, String origin, String graphName) {
        Map<String, List<Integer>> waiting = new HashMap<>();
        int[] missing = new int[nodes.size()];
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String dep : dependencies(nodes.get(i))) {
                if (!available.contains(dep)) {
                    waiting.computeIfAbsent(dep, k -> new ArrayList<>()).add(i);
                    missing[i]++;
                }
            }
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        Set<String> defined = new HashSet<>();
        List<NodeProto> order = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            NodeProto n = nodes.get(ready.poll());
            order.add(n);
            for (String out : n.getOutputList()) {
                if (!defined.add(out)) {
                    continue;
                }
                for (int j : waiting.getOrDefault(out, List.of())) {
                    if (--missing[j] == 0) {
                        ready.add(j);
                    }
                }
            }
        }
        if (order.size() < nodes.size()) {
            for (int i = 0; i < nodes.size(); i++) {
                if (missing[i] > 0) {
                    NodeProto n = nodes.get(i);
                    Set<String> absent = new LinkedHashSet<>(dependencies(n));
                    absent.removeAll(available);
                    absent.removeAll(defined);
                    throw new OnnxFormatException(origin + ": graph '" + graphName + "': node '" + n.getName()
                            + "' (" + n.getOpType() + ") reads " + (absent.isEmpty() ? dependencies(n) : absent)
                            + ", which no node, input or initializer defines (or the graph has a cycle)");
                }
            }
        }
        return order;
    }

    /** Checks that every graph of {@code graph}, subgraphs included, has an order and defines its outputs. */
    public static void check(GraphProto graph, String origin) {
        check(graph, Set.of(), origin);
    }

    private static void check(GraphProto graph, Set<String> outer, String origin) {
        Set<String> available = new HashSet<>(outer);
        graph.getInitializerList().forEach(t -> available.add(t.getName()));
        graph.getInputList().forEach(v -> available.add(v.getName()));
        available.add("");
        order(graph.getNodeList(), available, origin, graph.getName());
        Set<String> visible = new HashSet<>(available);
        graph.getNodeList().forEach(n -> visible.addAll(n.getOutputList()));
        for (ValueInfoProto v : graph.getOutputList()) {
            if (!visible.contains(v.getName())) {
                throw new OnnxFormatException(origin + ": graph '" + graph.getName() + "': output '" + v.getName()
                        + "' is not defined by any node, input or initializer");
            }
        }
        for (NodeProto n : graph.getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    check(a.getG(), visible, origin);
                }
                for (GraphProto g : a.getGraphsList()) {
                    check(g, visible, origin);
                }
            }
        }
    }

    /** The names a node reads: its inputs and what its subgraphs read from outside. */
    public static Set<String> dependencies(NodeProto n) {
        Set<String> deps = new HashSet<>(n.getInputList());
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG()) {
                deps.addAll(freeNames(a.getG()));
            }
            for (GraphProto g : a.getGraphsList()) {
                deps.addAll(freeNames(g));
            }
        }
        deps.remove("");
        return deps;
    }

    /** Names a subgraph reads but does not define. */
    public static Set<String> freeNames(GraphProto g) {
        Set<String> defined = new HashSet<>();
        g.getInputList().forEach(v -> defined.add(v.getName()));
        for (TensorProto t : g.getInitializerList()) {
            defined.add(t.getName());
        }
        Set<String> used = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            used.addAll(dependencies(n));
            defined.addAll(n.getOutputList());
        }
        g.getOutputList().forEach(v -> used.add(v.getName()));
        used.removeAll(defined);
        used.remove("");
        return used;
    }
}
