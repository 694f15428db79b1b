package dev.mergenet.core.graph;

import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Lookups over one graph for edits: producers, consumers, constant tensors and every name in use. */
public final class GraphIndex {
    public final GraphProto graph;
    public final Map<String, Integer> producer = new HashMap<>();
    public final Map<String, List<Integer>> consumers = new HashMap<>();
    public final Map<String, TensorProto> initializers = new HashMap<>();
    public final Set<String> names = new HashSet<>();

    public GraphIndex(GraphProto g) {
        this.graph = g;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            names.add(n.getName());
            for (String o : n.getOutputList()) {
                producer.put(o, i);
                names.add(o);
            }
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
            names.add(t.getName());
        }
        for (ValueInfoProto v : g.getInputList()) {
            names.add(v.getName());
        }
        for (ValueInfoProto v : g.getOutputList()) {
            names.add(v.getName());
        }
        for (ValueInfoProto v : g.getValueInfoList()) {
            names.add(v.getName());
        }
    }

    /** The tensor behind a value if it is an initializer or a Constant node's value, else null. */
    public TensorProto constant(String value) {
        TensorProto t = initializers.get(value);
        if (t != null) {
            return t;
        }
        Integer p = producer.get(value);
        if (p == null) {
            return null;
        }
        NodeProto n = graph.getNode(p);
        if (!n.getOpType().equals("Constant")) {
            return null;
        }
        for (var a : n.getAttributeList()) {
            if (a.getName().equals("value") && a.hasT()) {
                return a.getT();
            }
        }
        return null;
    }

    public int consumerCount(String value) {
        return consumers.getOrDefault(value, List.of()).size();
    }

    /** A name based on {@code base} used nowhere in the graph (and reserved from now on). */
    public String fresh(String base) {
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
            for (int c : consumers.getOrDefault(v, List.of())) {
                todo.addAll(graph.getNode(c).getOutputList());
            }
        }
        return seen;
    }
}
