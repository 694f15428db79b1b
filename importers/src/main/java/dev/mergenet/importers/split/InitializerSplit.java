package dev.mergenet.importers.split;

import dev.mergenet.importers.onnx.GraphOrder;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gives every role of a shared float initializer its own tensor. PyTorch's eval-mode export merges tensors that
 * are equal by value (a fresh BatchNorm's weight, running variance and every other all-ones vector of that width
 * become one initializer) and hands the other names out through {@code Identity} nodes. Those names were distinct
 * parameters in the original model, so each becomes an independent copy named by the name its consumers use. A
 * name that several nodes read directly is true weight tying (PyTorch writes one shared parameter that way) and
 * stays shared; so do Identity aliases the caller asks to keep tied. Running statistics (BatchNormalization inputs
 * 3 and 4) always get their own tensor: the node updates them in place while training.
 *
 * <p>The plan is a pure function of the top-level graph; {@link #apply} rewrites a graph so that the chosen
 * splits are initializers of their own (the importer materialises all of them, the exporter those whose trained
 * values differ from the tensor they were split from).
 */
public final class InitializerSplit {
    private final List<SplitTensor> splits;
    private final Map<String, SplitTensor> byName = new HashMap<>();
    private final Map<String, String> aliasRoot;
    private final Map<String, List<String>> sharedBy;
    private final Set<String> keptTied;

    private InitializerSplit(
            List<SplitTensor> splits,
            Map<String, String> aliasRoot,
            Map<String, List<String>> sharedBy,
            Set<String> keptTied) {
        this.splits = List.copyOf(splits);
        splits.forEach(s -> byName.put(s.name(), s));
        this.aliasRoot = aliasRoot;
        this.sharedBy = sharedBy;
        this.keptTied = keptTied;
    }

    /** One read of a shared tensor: node index (-1 for a graph output), input slot (-1 for a subgraph read). */
    private record Use(int node, int slot, String name, boolean statistic) {}

    public static InitializerSplit plan(OnnxModel model, Set<String> keepTied) {
        return plan(model.proto().getGraph(), keepTied);
    }

    public static InitializerSplit plan(GraphProto g, Set<String> keepTied) {
        Set<String> floats = new LinkedHashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            if (OnnxDataTypes.isFloat(t.getDataType())) {
                floats.add(t.getName());
            }
        }
        Set<String> graphOutputs = new HashSet<>();
        g.getOutputList().forEach(v -> graphOutputs.add(v.getName()));
        Map<String, String> aliasRoot = new LinkedHashMap<>();
        Map<String, Integer> aliasNode = new HashMap<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto n = g.getNode(i);
                if (!isIdentity(n)
                        || aliasRoot.containsKey(n.getOutput(0))
                        || graphOutputs.contains(n.getOutput(0))
                        || floats.contains(n.getOutput(0))) {
                    continue;
                }
                String in = n.getInput(0);
                String root = floats.contains(in) ? in : aliasRoot.get(in);
                if (root != null) {
                    aliasRoot.put(n.getOutput(0), root);
                    aliasNode.put(n.getOutput(0), i);
                    grew = true;
                }
            }
        }
        Set<Integer> aliasNodes = new HashSet<>(aliasNode.values());
        Map<String, List<Use>> uses = new LinkedHashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (aliasNodes.contains(i)) {
                continue;
            }
            NodeProto n = g.getNode(i);
            boolean norm = n.getOpType().equals("BatchNormalization")
                    && OnnxModel.normalizeDomain(n.getDomain()).isEmpty();
            for (int s = 0; s < n.getInputCount(); s++) {
                String x = n.getInput(s);
                if (floats.contains(x) || aliasRoot.containsKey(x)) {
                    uses.computeIfAbsent(x, k -> new ArrayList<>()).add(new Use(i, s, x, norm && (s == 3 || s == 4)));
                }
            }
            for (AttributeProto a : n.getAttributeList()) {
                List<GraphProto> subs = new ArrayList<>(a.getGraphsList());
                if (a.hasG()) {
                    subs.add(a.getG());
                }
                for (GraphProto sub : subs) {
                    for (String x : GraphOrder.freeNames(sub)) {
                        if (floats.contains(x) || aliasRoot.containsKey(x)) {
                            uses.computeIfAbsent(x, k -> new ArrayList<>()).add(new Use(i, -1, x, false));
                        }
                    }
                }
            }
        }
        for (String out : graphOutputs) {
            if (floats.contains(out)) {
                uses.computeIfAbsent(out, k -> new ArrayList<>()).add(new Use(-1, -1, out, false));
            }
        }

        Set<String> taken = valueNames(g);
        Set<String> tiedRoots = new HashSet<>();
        for (String name : keepTied) {
            String root = floats.contains(name) ? name : aliasRoot.get(name);
            if (root != null) {
                tiedRoots.add(root);
            }
        }
        List<SplitTensor> splits = new ArrayList<>();
        Set<String> keptTied = new TreeSet<>();
        for (Map.Entry<String, List<Use>> e : uses.entrySet()) {
            String x = e.getKey();
            List<Use> all = e.getValue();
            String root = floats.contains(x) ? x : aliasRoot.get(x);
            List<Use> params = all.stream().filter(u -> !u.statistic()).toList();
            List<Use> stats = all.stream().filter(Use::statistic).toList();
            // a name read by one running-statistic slot and nothing else stays that statistic's own name
            boolean nameIsStatistic = params.isEmpty();
            for (int k = nameIsStatistic ? 1 : 0; k < stats.size(); k++) {
                Use u = stats.get(k);
                NodeProto n = g.getNode(u.node());
                String base = (n.getName().isEmpty() ? "BatchNormalization_" + u.node() : n.getName())
                        + (u.slot() == 3 ? "/running_mean" : "/running_var");
                String name = unique(base, taken);
                splits.add(new SplitTensor(
                        name,
                        x,
                        SplitTensor.Role.RUNNING_STATISTIC,
                        SplitTensor.Kind.SHARED_INPUT,
                        List.of(nodeName(g, u.node())),
                        u.node(),
                        u.slot()));
            }
            if (x.equals(root)) {
                continue;
            }
            List<Use> kept = nameIsStatistic ? stats.subList(0, 1) : params;
            SplitTensor.Role role = nameIsStatistic ? SplitTensor.Role.RUNNING_STATISTIC : SplitTensor.Role.PARAMETER;
            if (role == SplitTensor.Role.PARAMETER && tiedRoots.contains(root) && !rootIsStatistic(uses.get(root))) {
                keptTied.add(x);
                continue;
            }
            List<String> consumers =
                    kept.stream().map(u -> nodeName(g, u.node())).distinct().toList();
            splits.add(new SplitTensor(x, root, role, SplitTensor.Kind.IDENTITY_ALIAS, consumers, aliasNode.get(x), 0));
        }
        Map<String, List<String>> sharedBy = new LinkedHashMap<>();
        aliasRoot.forEach((alias, root) ->
                sharedBy.computeIfAbsent(root, k -> new ArrayList<>()).add(alias));
        return new InitializerSplit(splits, aliasRoot, sharedBy, keptTied);
    }

    private static boolean rootIsStatistic(List<Use> rootUses) {
        return rootUses != null && !rootUses.isEmpty() && rootUses.stream().allMatch(Use::statistic);
    }

    private static boolean isIdentity(NodeProto n) {
        return n.getOpType().equals("Identity")
                && OnnxModel.normalizeDomain(n.getDomain()).isEmpty()
                && n.getInputCount() == 1
                && n.getOutputCount() == 1;
    }

    private static String nodeName(GraphProto g, int i) {
        if (i < 0) {
            return "(graph output)";
        }
        NodeProto n = g.getNode(i);
        return n.getName().isEmpty() ? n.getOpType() + "#" + i : n.getName();
    }

    private static Set<String> valueNames(GraphProto g) {
        Set<String> names = new HashSet<>();
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        g.getInputList().forEach(v -> names.add(v.getName()));
        g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
        return names;
    }

    private static String unique(String base, Set<String> taken) {
        String name = base;
        for (int k = 1; taken.contains(name); k++) {
            name = base + "_" + k;
        }
        taken.add(name);
        return name;
    }

    /** Every split, in graph order. */
    public List<SplitTensor> splits() {
        return splits;
    }

    public boolean isEmpty() {
        return splits.isEmpty();
    }

    /** Initializers that Identity nodes hand out under other names (value-merged by the exporter), with those names. */
    public Map<String, List<String>> valueMerged() {
        return Collections.unmodifiableMap(sharedBy);
    }

    /** Identity aliases left sharing their initializer because the caller asked to keep them tied. */
    public Set<String> keptTied() {
        return Collections.unmodifiableSet(keptTied);
    }

    /** The split called {@code name}, or null. */
    public SplitTensor split(String name) {
        return byName.get(name);
    }

    /** Names in {@code keepTied} that are neither a float initializer of {@code g} nor an Identity alias of one. */
    public static Set<String> unknownNames(GraphProto g, Set<String> keepTied) {
        Set<String> known = new HashSet<>();
        g.getInitializerList().stream()
                .filter(t -> OnnxDataTypes.isFloat(t.getDataType()))
                .forEach(t -> known.add(t.getName()));
        known.addAll(plan(g, Set.of()).aliasRoot.keySet());
        Set<String> unknown = new TreeSet<>(keepTied);
        unknown.removeAll(known);
        return unknown;
    }

    /**
     * {@code g} (the graph this plan was made from) with the splits named in {@code tensors} as initializers of
     * their own: Identity nodes producing them are dropped, rewired inputs read them, an Identity that read a
     * materialised alias reads its initializer instead, and Identity aliases left without readers are dropped.
     * With no tensors, {@code g} itself comes back.
     */
    public GraphProto apply(GraphProto g, Map<String, TensorProto> tensors) {
        if (tensors.isEmpty()) {
            return g;
        }
        Set<Integer> dropped = new HashSet<>();
        Map<Integer, Map<Integer, String>> rewired = new HashMap<>();
        Set<String> materialised = new HashSet<>();
        for (SplitTensor s : splits) {
            if (!tensors.containsKey(s.name())) {
                continue;
            }
            materialised.add(s.name());
            NodeProto n = g.getNode(s.node());
            if (s.kind() == SplitTensor.Kind.IDENTITY_ALIAS) {
                if (!isIdentity(n) || !n.getOutput(0).equals(s.name())) {
                    throw new IllegalStateException("the split of '" + s.name() + "' was planned on another graph");
                }
                dropped.add(s.node());
            } else {
                rewired.computeIfAbsent(s.node(), k -> new HashMap<>()).put(s.slot(), s.name());
            }
        }
        for (String name : tensors.keySet()) {
            if (!materialised.contains(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a split of this graph");
            }
        }
        List<NodeProto> nodes = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (dropped.contains(i)) {
                continue;
            }
            NodeProto n = g.getNode(i);
            Map<Integer, String> slots = rewired.get(i);
            if (slots != null) {
                NodeProto.Builder b = n.toBuilder();
                slots.forEach(b::setInput);
                n = b.build();
            }
            if (isIdentity(n) && aliasRoot.containsKey(n.getOutput(0)) && materialised.contains(n.getInput(0))) {
                // this alias still equals the original tensor, not the split copy it used to pass through
                n = n.toBuilder().setInput(0, aliasRoot.get(n.getOutput(0))).build();
            }
            nodes.add(n);
        }
        nodes = withoutOrphanAliases(g, nodes);
        GraphProto.Builder b = g.toBuilder().clearNode().addAllNode(nodes);
        Map<String, ValueInfoProto> declaredInputs = new HashMap<>();
        g.getInputList().forEach(v -> declaredInputs.put(v.getName(), v));
        for (SplitTensor s : splits) {
            TensorProto t = tensors.get(s.name());
            if (t == null) {
                continue;
            }
            b.addInitializer(t.toBuilder().setName(s.name()).build());
            ValueInfoProto rootInput = declaredInputs.get(aliasRoot.getOrDefault(s.source(), s.source()));
            if (rootInput != null) {
                // models that list initializers as graph inputs (IR < 4) list the new ones too
                b.addInput(rootInput.toBuilder().setName(s.name()));
            }
        }
        return b.build();
    }

    /** Drops Identity aliases that had readers in the original graph and have none left. */
    private List<NodeProto> withoutOrphanAliases(GraphProto original, List<NodeProto> nodes) {
        Set<String> readBefore = reads(original.getNodeList(), original);
        boolean removed = true;
        while (removed) {
            removed = false;
            Set<String> read = reads(nodes, original);
            List<NodeProto> next = new ArrayList<>();
            for (NodeProto n : nodes) {
                String out = n.getOutputCount() == 1 ? n.getOutput(0) : null;
                if (isIdentity(n) && aliasRoot.containsKey(out) && readBefore.contains(out) && !read.contains(out)) {
                    removed = true;
                } else {
                    next.add(n);
                }
            }
            nodes = next;
        }
        return nodes;
    }

    private static Set<String> reads(List<NodeProto> nodes, GraphProto g) {
        Set<String> read = new HashSet<>();
        for (NodeProto n : nodes) {
            read.addAll(n.getInputList());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    read.addAll(GraphOrder.freeNames(a.getG()));
                }
                a.getGraphsList().forEach(sub -> read.addAll(GraphOrder.freeNames(sub)));
            }
        }
        g.getOutputList().forEach(v -> read.add(v.getName()));
        return read;
    }

    /**
     * The graph the importer runs: every split materialised as a copy of the initializer it came from
     * ({@code initializers} by name, so a caller can hand in decoded or external tensors unchanged).
     */
    public GraphProto materialiseAll(GraphProto g) {
        Map<String, TensorProto> byName = new HashMap<>();
        g.getInitializerList().forEach(t -> byName.put(t.getName(), t));
        Map<String, TensorProto> copies = new LinkedHashMap<>();
        for (SplitTensor s : splits) {
            copies.put(s.name(), byName.get(aliasRoot.getOrDefault(s.source(), s.source())));
        }
        return apply(g, copies);
    }

    /** The initializer a split (or any alias) takes its value from. */
    public String rootOf(String name) {
        SplitTensor s = split(name);
        String source = s == null ? name : s.source();
        return aliasRoot.getOrDefault(source, source);
    }
}
