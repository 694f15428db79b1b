package dev.mergenet.importers.graph;

import dev.mergenet.importers.OnnxFormatException;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpKernel;
import dev.mergenet.importers.ops.OpRegistry;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns GraphProtos into {@link CompiledGraph}s: resolves every node against the registry, collecting all
 * unsupported nodes (subgraphs included) so they can be reported together, then sorts and prepares.
 */
public final class GraphCompiler {
    private final OnnxModel model;
    private final OpRegistry registry;
    private final Map<String, List<String>> problems = new LinkedHashMap<>();
    private int anonymous;

    public GraphCompiler(OnnxModel model, OpRegistry registry) {
        this.model = model;
        this.registry = registry;
    }

    /** Problems found so far, one line per distinct problem with the nodes it affects. */
    public List<String> problems() {
        List<String> lines = new ArrayList<>();
        problems.forEach((problem, nodes) -> lines.add(problem + " (" + nodes.size() + " node"
                + (nodes.size() == 1 ? "" : "s") + ": " + String.join(", ", nodes.subList(0, Math.min(5, nodes.size())))
                + (nodes.size() > 5 ? ", ..." : "") + ")"));
        return lines;
    }

    private void problem(String problem, String node) {
        problems.computeIfAbsent(problem, k -> new ArrayList<>()).add("'" + node + "'");
    }

    /**
     * Compiles {@code graph}. Names in {@code outer} are visible from enclosing graphs; nodes matching
     * {@code skip} are left out (the block lifts their outputs into parameters and constants).
     */
    public CompiledGraph compile(GraphProto graph, Set<String> outer, Predicate<NodeProto> skip) {
        Set<String> initializerNames = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializerNames.add(t.getName());
        }
        List<String> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            if (!initializerNames.contains(v.getName())) {
                inputs.add(v.getName());
            }
        }
        List<String> outputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getOutputList()) {
            outputs.add(v.getName());
        }
        Set<String> available = new HashSet<>(outer);
        available.addAll(initializerNames);
        for (ValueInfoProto v : graph.getInputList()) {
            available.add(v.getName());
        }
        available.add("");
        List<NodeProto> kept = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            if (skip.test(n)) {
                available.addAll(n.getOutputList());
            } else {
                kept.add(n);
            }
        }
        List<NodeProto> order = topologicalOrder(kept, available, graph.getName());
        Set<String> visible = new HashSet<>(available);
        List<CompiledGraph.Step> steps = new ArrayList<>();
        for (NodeProto n : order) {
            visible.addAll(n.getOutputList());
            Set<String> scope = new HashSet<>(visible);
            String name = n.getName().isEmpty() ? n.getOpType() + "#" + (anonymous++) : n.getName();
            String domain = OnnxModel.normalizeDomain(n.getDomain());
            long opset = model.opset(domain);
            OpRegistry.Resolution r = registry.resolve(domain, n.getOpType(), opset);
            OnnxNode node = new OnnxNode(n, name, domain, r.sinceVersion(), opset, model.origin(),
                    sub -> compile(sub, scope, x -> false), graph);
            if (!r.supported()) {
                problem(r.problem(), name);
                continue;
            }
            OpKernel kernel;
            try {
                kernel = r.converter().prepare(node);
            } catch (UnsupportedOperationException e) {
                problem(n.getOpType() + ": " + e.getMessage(), name);
                continue;
            }
            steps.add(new CompiledGraph.Step(node, kernel));
        }
        return new CompiledGraph(graph, inputs, outputs, steps, graph.getInitializerList());
    }

    /** Kahn's order, stable for already-sorted graphs; subgraph free names count as node inputs. */
    private List<NodeProto> topologicalOrder(List<NodeProto> nodes, Set<String> available, String graphName) {
        Set<String> ready = new HashSet<>(available);
        List<NodeProto> pending = new ArrayList<>(nodes);
        List<NodeProto> order = new ArrayList<>(nodes.size());
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            List<NodeProto> next = new ArrayList<>();
            for (NodeProto n : pending) {
                if (ready.containsAll(dependencies(n))) {
                    order.add(n);
                    ready.addAll(n.getOutputList());
                    progress = true;
                } else {
                    next.add(n);
                }
            }
            pending = next;
        }
        if (!pending.isEmpty()) {
            NodeProto n = pending.get(0);
            Set<String> missing = new LinkedHashSet<>(dependencies(n));
            missing.removeAll(ready);
            throw new OnnxFormatException(model.origin() + ": graph '" + graphName + "': node '" + n.getName()
                    + "' (" + n.getOpType() + ") reads " + missing + ", which no node, input or initializer defines"
                    + " (or the graph has a cycle)");
        }
        return order;
    }

    private static Set<String> dependencies(NodeProto n) {
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
        g.getInitializerList().forEach(t -> defined.add(t.getName()));
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
