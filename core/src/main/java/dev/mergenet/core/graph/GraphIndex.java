package dev.mergenet.core.graph;

import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One graph's producers, consumers and initializers, indexed once (nodes by their index in the graph), so
 * queries do not scan the graph. Only the graph's own nodes count: what a subgraph reads is not indexed here.
 */
public final class GraphIndex {
    /** An input slot reading a value: the node's index in the graph and the input's position on the node. */
    public record Use(int node, int slot) {}

    private final GraphProto graph;
    private final Map<String, List<Integer>> producers = new HashMap<>();
    private final Map<String, List<Use>> uses = new HashMap<>();
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private Set<String> names; // every name in use, built on the first fresh()

    public GraphIndex(GraphProto g) {
        this.graph = g;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            for (String o : n.getOutputList()) {
                producers.computeIfAbsent(o, k -> new ArrayList<>(1)).add(i);
            }
            for (int s = 0; s < n.getInputCount(); s++) {
                uses.computeIfAbsent(n.getInput(s), k -> new ArrayList<>()).add(new Use(i, s));
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
    }

    public GraphProto graph() {
        return graph;
    }

    public NodeProto node(int index) {
        return graph.getNode(index);
    }

    /** Every node producing {@code value}, in graph order (more than one only in a graph that breaks SSA). */
    public List<Integer> producers(String value) {
        return producers.getOrDefault(value, List.of());
    }

    /** The index of the node producing {@code value} (the last one if several do), or -1 when none does. */
    public int producer(String value) {
        List<Integer> p = producers.get(value);
        return p == null ? -1 : p.get(p.size() - 1);
    }

    /** The node producing {@code value} (the last one if several do), or null. */
    public NodeProto producerNode(String value) {
        int p = producer(value);
        return p < 0 ? null : graph.getNode(p);
    }

    /** Every input slot of the graph's nodes that reads {@code value}, in graph order. */
    public List<Use> uses(String value) {
        return uses.getOrDefault(value, List.of());
    }

    /** The node of each input slot reading {@code value}, in graph order: a node reading it twice is there twice. */
    public List<Integer> consumers(String value) {
        return uses(value).stream().map(Use::node).toList();
    }

    /** How many input slots read {@code value}. */
    public int consumerCount(String value) {
        return uses(value).size();
    }

    /** The first node reading {@code value}, or null. */
    public NodeProto firstConsumer(String value) {
        List<Use> u = uses.get(value);
        return u == null ? null : graph.getNode(u.get(0).node());
    }

    public boolean isInitializer(String name) {
        return initializers.containsKey(name);
    }

    /** The initializer called {@code name} (the last one if several are), or null. */
    public TensorProto initializer(String name) {
        return initializers.get(name);
    }

    /** The tensor behind a value if it is an initializer or a Constant node's value, else null. */
    public TensorProto constant(String value) {
        TensorProto t = initializers.get(value);
        if (t != null) {
            return t;
        }
        NodeProto n = producerNode(value);
        if (n == null || !n.getOpType().equals("Constant")) {
            return null;
        }
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("value") && a.hasT()) {
                return a.getT();
            }
        }
        return null;
    }

    /** A name based on {@code base} used nowhere in the graph (and reserved from now on). */
    public String fresh(String base) {
        if (names == null) {
            names = namesInUse(graph);
        }
        String name = base;
        for (int k = 1; names.contains(name); k++) {
            name = base + "_" + k;
        }
        names.add(name);
        return name;
    }

    /** Every value computed from {@code start} (including it). */
    public Set<String> downstream(String start) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (!seen.add(v)) {
                continue;
            }
            for (Use u : uses(v)) {
                todo.addAll(graph.getNode(u.node()).getOutputList());
            }
        }
        return seen;
    }

    private static Set<String> namesInUse(GraphProto g) {
        Set<String> names = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            names.add(n.getName());
            names.addAll(n.getOutputList());
        }
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        for (List<ValueInfoProto> values : List.of(g.getInputList(), g.getOutputList(), g.getValueInfoList())) {
            values.forEach(v -> names.add(v.getName()));
        }
        return names;
    }
}
