package dev.mergenet.importers.graph;

import dev.mergenet.importers.onnx.GraphOrder;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.ops.OpRegistry;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
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
        List<NodeProto> order = GraphOrder.order(kept, available, model.origin(), graph.getName());
        // one growing set shared by every node's subgraphs (bodies compile during prepare), not a copy per node
        Set<String> visible = new HashSet<>(available);
        Set<String> scope = Collections.unmodifiableSet(visible);
        EnclosingGraphIndex lookup = new EnclosingGraphIndex(graph, sub -> compile(sub, scope, x -> false));
        List<CompiledGraph.Step> steps = new ArrayList<>();
        for (NodeProto n : order) {
            visible.addAll(n.getOutputList());
            String name = n.getName().isEmpty() ? n.getOpType() + "#" + (anonymous++) : n.getName();
            String domain = OnnxModel.normalizeDomain(n.getDomain());
            long opset = model.opset(domain);
            OpRegistry.Resolution r = registry.resolve(domain, n.getOpType(), opset);
            OnnxNode node = new OnnxNode(
                    n,
                    name,
                    domain,
                    r.sinceVersion(),
                    opset,
                    model.origin(),
                    sub -> compile(sub, scope, x -> false),
                    lookup);
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
        return new CompiledGraph(graph, inputs, outputs, withReleases(steps, outputs), graph.getInitializerList());
    }

    /**
     * Marks on each step the values it produced or read for the last time: the run may free them after it.
     * Graph outputs are kept; values read by a node's subgraphs count as read by that node. One pass each way.
     */
    private static List<CompiledGraph.Step> withReleases(List<CompiledGraph.Step> steps, List<String> outputs) {
        if (steps.stream().anyMatch(s -> s.node().opType().equals("Gradient"))) {
            return steps; // a Gradient node re-runs a slice of this graph that may read any earlier value
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            NodeProto n = steps.get(i).node().proto();
            for (String produced : n.getOutputList()) {
                lastUse.put(produced, i);
            }
            for (String read : GraphOrder.dependencies(n)) {
                lastUse.put(read, i);
            }
        }
        Set<String> kept = new HashSet<>(outputs);
        List<List<String>> releases = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            releases.add(new ArrayList<>());
        }
        for (CompiledGraph.Step step : steps) {
            for (String produced : step.node().outputs()) {
                if (!produced.isEmpty() && !kept.contains(produced)) {
                    releases.get(lastUse.get(produced)).add(produced);
                }
            }
        }
        List<CompiledGraph.Step> out = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            out.add(new CompiledGraph.Step(steps.get(i).node(), steps.get(i).kernel(), List.copyOf(releases.get(i))));
        }
        return out;
    }
}
