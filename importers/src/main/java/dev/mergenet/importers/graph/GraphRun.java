package dev.mergenet.importers.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.NodeExecutionException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.BroadcastCheck;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ops.sequence.TensorSequence;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OpContext;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.Subgraph;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One execution of a compiled graph. Every array it makes is attached to {@code scope}, the step's manager.
 * An intermediate the engine allocated is closed right after its last reader (autograd keeps its own reference
 * to what backward needs); the rest go when the caller closes the scope.
 */
public final class GraphRun implements OpContext {
    private final NDManager scope;
    private final boolean training;
    private final String origin;
    private final Map<String, NDArray> values;
    /** How many names each array is bound under here; an array is closed only when none is left. */
    private final Map<NDArray, Integer> bindings = new IdentityHashMap<>();
    /** Arrays this run did not make (parameters, inputs): never closed here. */
    private final Set<NDArray> pinned = Collections.newSetFromMap(new IdentityHashMap<>());

    private final GraphRun parent;
    /** For {@link #gradients}: values read from enclosing runs enter as constants (detached), once each. */
    private Map<String, NDArray> constantOuterReads;

    private OnnxNode current;

    public GraphRun(NDManager scope, boolean training, String origin) {
        this(scope, training, origin, null);
    }

    private GraphRun(NDManager scope, boolean training, String origin, GraphRun parent) {
        this.scope = scope;
        this.training = training;
        this.origin = origin;
        this.parent = parent;
        this.values = new HashMap<>();
    }

    /** Binds a value (already owned by the scope). */
    public void bind(String name, NDArray array) {
        pinned.add(array);
        put(name, array);
    }

    private void put(String name, NDArray array) {
        NDArray previous = values.put(name, array);
        bindings.merge(array, 1, Integer::sum);
        if (previous != null) {
            bindings.merge(previous, -1, Integer::sum);
        }
    }

    /** Drops {@code name}; closes its array when no name holds it, nothing above owns it and the engine made it. */
    private void release(String name) {
        NDArray a = values.remove(name);
        if (a == null || bindings.merge(a, -1, Integer::sum) > 0) {
            return;
        }
        bindings.remove(a);
        for (GraphRun r = this; r != null; r = r.parent) {
            if (r.pinned.contains(a) || (r != this && r.bindings.containsKey(a))) {
                return;
            }
        }
        if (ReleasableArrays.engineOwned(a)) {
            a.close();
        }
    }

    /** Arrays going into or coming out of a container (a sequence) may be held inside it: never closed early. */
    private void pinContainerTraffic(List<NDArray> in, NDList out) {
        boolean container = false;
        for (NDArray a : in) {
            container |= a != null && !ReleasableArrays.plainArray(a);
        }
        for (NDArray a : out) {
            container |= a != null && !ReleasableArrays.plainArray(a);
        }
        for (GraphRun r = this; container && r != null; r = r.parent) { // the container may outlive this run
            in.stream().filter(a -> a != null).forEach(r.pinned::add);
            out.stream().filter(a -> a != null).forEach(r.pinned::add);
        }
    }

    public NDArray lookup(String name) {
        for (GraphRun r = this; r != null; r = r.parent) {
            NDArray a = r.values.get(name);
            if (a != null) {
                return r == this || constantOuterReads == null
                        ? a
                        : constantOuterReads.computeIfAbsent(name, n -> {
                            NDArray constant = a.stopGradient();
                            constant.attach(scope);
                            return constant;
                        });
            }
        }
        return null;
    }

    /** Runs every step of {@code graph}, then returns its outputs (still owned by the scope). */
    public NDList execute(CompiledGraph graph) {
        for (CompiledGraph.Step step : graph.steps()) {
            current = step.node();
            List<String> names = current.inputs();
            List<NDArray> in = new ArrayList<>(names.size());
            for (String name : names) {
                if (name.isEmpty()) {
                    in.add(null);
                    continue;
                }
                NDArray a = lookup(name);
                if (a == null) {
                    throw new MergeNetException(current.describe() + ": input '" + name + "' has no value");
                }
                in.add(a);
            }
            BroadcastCheck.check(current.opType(), current.sinceVersion(), in, current::describe);
            NDList out;
            long started = OpProfile.ENABLED ? System.nanoTime() : 0;
            try {
                out = step.kernel().run(this, new OpInputs(in, current));
                if (OpProfile.ENABLED) {
                    OpProfile.record(current.opType(), System.nanoTime() - started);
                }
            } catch (MergeNetException e) {
                throw e;
            } catch (RuntimeException e) {
                int sequence = firstSequence(in);
                if (e instanceof UnsupportedOperationException && sequence >= 0) {
                    // an op that takes tensors was fed a sequence: the file's wiring, not the converter's fault
                    throw new OnnxFormatException(
                            current.describe() + ": input '" + names.get(sequence)
                                    + "' is a sequence where a tensor is expected",
                            e);
                }
                throw new NodeExecutionException(
                        current.describe() + " failed on inputs " + shapes(in) + ": " + e.getMessage(), e);
            }
            List<String> outNames = current.outputs();
            pinContainerTraffic(in, out);
            for (int i = 0; i < outNames.size() && i < out.size(); i++) {
                NDArray a = out.get(i);
                if (a == null || outNames.get(i).isEmpty()) {
                    continue;
                }
                a.attach(scope);
                put(outNames.get(i), a);
            }
            for (String name : step.releasedAfter()) {
                release(name);
            }
        }
        NDList result = new NDList(graph.outputs().size());
        for (String name : graph.outputs()) {
            NDArray a = lookup(name);
            if (a == null) {
                throw new MergeNetException(origin + ": graph output '" + name + "' was never computed");
            }
            result.add(a);
        }
        return result;
    }

    @Override
    public NDList runSubgraph(Subgraph subgraph, List<NDArray> inputs) {
        return runChild((CompiledGraph) subgraph, inputs, false);
    }

    @Override
    public NDList gradients(Subgraph subgraph, List<NDArray> inputs) {
        List<NDArray> copies = new ArrayList<>(inputs.size());
        for (NDArray x : inputs) {
            NDArray copy = x.stopGradient().duplicate(); // a fresh leaf: nothing upstream of x is reached
            copy.attach(scope);
            copy.setRequiresGradient(true);
            copies.add(copy);
        }
        boolean recording = TorchEngine.isGradMode();
        TorchEngine.setGradMode(true); // also when the step itself does not record (inference)
        try {
            NDArray y = runChild((CompiledGraph) subgraph, copies, true).singletonOrThrow();
            // no nested gradient collector (the engine allows one at a time): a backward pass from y reaches only
            // the copies, since everything else the slice reads entered it detached
            TorchEngine.backward(y);
        } finally {
            TorchEngine.setGradMode(recording);
        }
        NDList grads = new NDList(copies.size());
        for (NDArray copy : copies) {
            NDArray g = copy.getGradient().duplicate();
            g.attach(scope);
            grads.add(g);
        }
        return grads;
    }

    /**
     * Runs a compiled subgraph (every Subgraph a node holds was compiled by GraphCompiler) on {@code inputs}, its free
     * names read from this run; with {@code constantOuter} those reads enter detached.
     */
    private NDList runChild(CompiledGraph graph, List<NDArray> inputs, boolean constantOuter) {
        GraphRun child = new GraphRun(scope, training, origin, this);
        if (constantOuter) {
            child.constantOuterReads = new HashMap<>();
        }
        List<String> names = graph.inputs();
        for (int i = 0; i < names.size() && i < inputs.size(); i++) {
            if (inputs.get(i) != null) {
                child.bind(names.get(i), inputs.get(i));
            }
        }
        for (TensorData t : graph.decodedInitializers().get(origin)) {
            child.bind(t.name(), t.toNDArray(scope));
        }
        OnnxNode saved = current;
        try {
            return child.execute(graph);
        } finally {
            current = saved;
        }
    }

    @Override
    public boolean training() {
        return training;
    }

    @Override
    public NDManager manager() {
        return scope;
    }

    @Override
    public OnnxNode node() {
        return current;
    }

    /** The position of the first input that is a sequence, or -1. */
    private static int firstSequence(List<NDArray> in) {
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i) instanceof TensorSequence) {
                return i;
            }
        }
        return -1;
    }

    private static String shapes(List<NDArray> in) {
        StringBuilder sb = new StringBuilder("[");
        for (NDArray a : in) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(a == null ? "-" : a.getDataType() + a.getShape().toString());
        }
        return sb.append(']').toString();
    }
}
