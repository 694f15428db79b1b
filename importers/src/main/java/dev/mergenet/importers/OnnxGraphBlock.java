package dev.mergenet.importers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.UnsupportedOpsException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.graph.CompiledGraph;
import dev.mergenet.importers.graph.GraphCompiler;
import dev.mergenet.importers.graph.GraphRun;
import dev.mergenet.importers.onnx.GraphOrder;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.ops.OpRegistry;
import dev.mergenet.importers.split.InitializerSplit;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An imported ONNX graph as one trainable DJL block. Every float initializer, and every non-scalar float
 * {@code Constant}, is a {@link Parameter} named by its ONNX name; BatchNormalization running statistics are
 * non-gradient parameters (so training updates them and the exporter can write them back); integer, bool and
 * shape tensors stay frozen. Forward interprets the nodes in topological order.
 *
 * <p>Initializers an exporter shared by value between several roles are split first ({@link InitializerSplit}):
 * every parameter and running statistic is its own tensor, named by the name its consumers use.
 *
 * <p>The block owns its parameter and constant arrays: {@link #close()} frees them, after which running it or
 * reading its parameters fails with an {@link IllegalStateException} naming the model.
 */
public final class OnnxGraphBlock extends AbstractBlock implements AutoCloseable {
    private static final byte VERSION = 1;

    /** Input slots that take float tensors as settings rather than data (a weight there never gets a gradient). */
    private static final Map<String, Set<Integer>> SETTING_INPUTS = Map.of(
            "Resize",
            Set.of(1, 2),
            "Upsample",
            Set.of(1),
            "Range",
            Set.of(0, 1, 2),
            "ConstantOfShape",
            Set.of(0),
            "Dropout",
            Set.of(1));

    private final OnnxModel model;
    private final CompiledGraph graph;
    private final NDManager owner;
    private final Map<String, Parameter> byOnnxName = new LinkedHashMap<>();
    private final Map<String, NDArray> frozen = new LinkedHashMap<>();
    private final Map<Device, Map<String, NDArray>> frozenCopies = new HashMap<>();
    private final Map<String, String> hoisted = new LinkedHashMap<>();
    private final Set<String> runningStats = new HashSet<>();
    private final InitializerSplit split;
    private final GraphProto runGraph;
    private volatile boolean closed;

    /**
     * Imports {@code model} with the default options.
     *
     * @param model the parsed ONNX model
     * @param manager the manager that owns the block's parameter and constant arrays
     * @param registry the op converters to build the graph with
     * @throws UnsupportedOpsException listing every node no converter handles
     */
    public OnnxGraphBlock(OnnxModel model, NDManager manager, OpRegistry registry) {
        this(model, manager, registry, ImportOptions.DEFAULT);
    }

    /**
     * Imports {@code model}.
     *
     * @param model the parsed ONNX model
     * @param manager the manager that owns the block's parameter and constant arrays
     * @param registry the op converters to build the graph with
     * @param options import options (names of value-merged initializers to keep tied)
     * @throws UnsupportedOpsException listing every node no converter handles
     * @throws MergeNetException if a name to keep tied is not a float initializer
     */
    public OnnxGraphBlock(OnnxModel model, NDManager manager, OpRegistry registry, ImportOptions options) {
        super(VERSION);
        this.model = model;
        this.owner = manager;
        Set<String> unknown = InitializerSplit.unknownNames(model.proto().getGraph(), options.keepTied());
        if (!unknown.isEmpty()) {
            throw new MergeNetException(model.origin() + ": keep-tied name(s) " + unknown + " are neither float "
                    + "initializers nor Identity aliases of one");
        }
        this.split = InitializerSplit.plan(model, options.keepTied());
        GraphProto g = split.materialiseAll(model.proto().getGraph());
        this.runGraph = g;
        GraphIndex index = new GraphIndex(g);
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("BatchNormalization") && n.getInputCount() >= 5) {
                runningStats.add(n.getInput(3));
                runningStats.add(n.getInput(4));
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            lift(t.getName(), t, index, true);
        }
        Set<NodeProto> liftedConstants = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NodeProto n : g.getNodeList()) {
            if (isLiftableConstant(n)) {
                TensorProto value = n.getAttribute(0).getT();
                lift(n.getOutput(0), value, index, false);
                liftedConstants.add(n);
                if (byOnnxName.containsKey(n.getOutput(0))) {
                    hoisted.put(n.getOutput(0), n.getName());
                }
            }
        }
        Set<String> outer = new HashSet<>(byOnnxName.keySet());
        outer.addAll(frozen.keySet());
        GraphCompiler compiler = new GraphCompiler(model, registry);
        this.graph = compiler.compile(g, outer, liftedConstants::contains);
        if (!compiler.problems().isEmpty()) {
            close();
            throw new UnsupportedOpsException(model.origin(), compiler.problems());
        }
    }

    private static boolean isLiftableConstant(NodeProto n) {
        return n.getOpType().equals("Constant")
                && OnnxModel.normalizeDomain(n.getDomain()).isEmpty()
                && n.getAttributeCount() == 1
                && n.getAttribute(0).getName().equals("value")
                && n.getAttribute(0).hasT()
                && n.getOutputCount() == 1;
    }

    private void lift(String name, TensorProto t, GraphIndex index, boolean initializer) {
        boolean isFloat = OnnxDataTypes.isFloat(t.getDataType());
        long count = TensorDecoder.elementCount(t, model.origin());
        boolean settingOnly = index.consumerCount(name) > 0
                && index.uses(name).stream().allMatch(u -> isSetting(index.node(u.node()), u.slot()));
        boolean weight = isFloat && !settingOnly && (initializer || count > 1);
        TensorData data = TensorDecoder.decode(t, model.origin(), model.baseDir());
        NDArray array = data.toNDArray(owner);
        array.setName(name);
        if (!weight) {
            frozen.put(name, array);
            return;
        }
        boolean stat = runningStats.contains(name);
        Parameter p = Parameter.builder()
                .setName(name)
                .setType(stat ? Parameter.Type.RUNNING_MEAN : Parameter.Type.WEIGHT)
                .optRequiresGrad(!stat)
                .optArray(array)
                .build();
        addParameter(p);
        byOnnxName.put(name, p);
    }

    /** Whether input {@code slot} of {@code n} is a setting (a shape, an axis list), not data. */
    private static boolean isSetting(NodeProto n, int slot) {
        return SETTING_INPUTS.getOrDefault(n.getOpType(), Set.of()).contains(slot);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        checkOpen();
        List<String> names = graph.inputs();
        if (inputs.size() != names.size()) {
            throw new MergeNetException(model.origin() + ": the graph takes " + names.size() + " input(s) " + names
                    + " but " + inputs.size() + " were given");
        }
        NDManager caller =
                inputs.isEmpty() ? parameterStore.getManager() : inputs.head().getManager();
        Device device = caller.getDevice();
        NDList outputs = new NDList();
        NDManager scope = caller.newSubManager(device);
        try {
            GraphRun run = new GraphRun(scope, training, model.origin());
            for (Map.Entry<String, Parameter> e : byOnnxName.entrySet()) {
                run.bind(e.getKey(), Scopes.alias(parameterStore.getValue(e.getValue(), device, training), scope));
            }
            for (Map.Entry<String, NDArray> e : frozenOn(device).entrySet()) {
                run.bind(e.getKey(), Scopes.alias(e.getValue(), scope));
            }
            for (int i = 0; i < names.size(); i++) {
                run.bind(names.get(i), Scopes.alias(inputs.get(i), scope));
            }
            Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (NDArray a : run.execute(graph)) {
                NDArray out = seen.add(a) ? a : a.duplicate();
                out.attach(caller);
                outputs.add(out);
            }
        } finally {
            // While autograd records, the backward pass may read arrays a converter made from Java data (index
            // tables, masks, constants); DJL frees their memory when the handle closes. So the scope then lives
            // on with the caller's manager (the training step) instead of closing here.
            if (!TorchEngine.isGradMode()) {
                scope.close();
            }
        }
        return outputs;
    }

    private synchronized Map<String, NDArray> frozenOn(Device device) {
        if (device.equals(owner.getDevice())) {
            return frozen;
        }
        return frozenCopies.computeIfAbsent(device, d -> {
            Map<String, NDArray> copies = new LinkedHashMap<>();
            frozen.forEach((k, v) -> {
                NDArray c = v.toDevice(d, true);
                c.attach(owner);
                copies.put(k, c);
            });
            return copies;
        });
    }

    /**
     * The output shapes for these input shapes, found by running the graph once on zeros.
     *
     * @param inputShapes one shape per graph input, in {@link #inputNames()} order
     * @return one shape per graph output
     */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        checkOpen();
        try (NDManager tmp = owner.newSubManager()) {
            NDList in = new NDList();
            List<String> names = graph.inputs();
            for (int i = 0; i < inputShapes.length; i++) {
                in.add(tmp.zeros(inputShapes[i], inputType(names.get(i))));
            }
            NDList out = forward(new ParameterStore(tmp, false), in, false);
            Shape[] shapes = new Shape[out.size()];
            for (int i = 0; i < shapes.length; i++) {
                shapes[i] = out.get(i).getShape();
            }
            return shapes;
        }
    }

    /**
     * The DJL type of a graph input as declared.
     *
     * @param name a graph input
     * @return its element type, float32 when undeclared or unknown
     */
    public DataType inputType(String name) {
        for (ValueInfoProto v : model.proto().getGraph().getInputList()) {
            if (v.getName().equals(name) && v.getType().hasTensorType()) {
                DataType t = OnnxDataTypes.toDjl(v.getType().getTensorType().getElemType());
                return t == null ? DataType.FLOAT32 : t;
            }
        }
        return DataType.FLOAT32;
    }

    /**
     * Freezes or unfreezes the trainable weights; running statistics never require gradients, whatever this says.
     *
     * @param freeze true to stop gradients, false to let them flow again
     */
    @Override
    public void freezeParameters(boolean freeze) {
        for (Parameter p : byOnnxName.values()) {
            if (!runningStats.contains(p.getName())) {
                p.freeze(freeze);
            }
        }
    }

    /**
     * The model this block was imported from.
     *
     * @return the model, with the original (unsplit) graph
     */
    public OnnxModel model() {
        return model;
    }

    /**
     * The compiled steps forward runs.
     *
     * @return the graph in topological order, one kernel per node
     */
    public CompiledGraph graph() {
        return graph;
    }

    /**
     * The graph inputs the caller feeds.
     *
     * @return their names in order (initializer-backed inputs excluded)
     */
    public List<String> inputNames() {
        return graph.inputs();
    }

    /**
     * The graph outputs forward returns.
     *
     * @return their names in order
     */
    public List<String> outputNames() {
        return graph.outputs();
    }

    /**
     * The declared type of a graph input or output.
     *
     * @param name a graph input or output
     * @return its declared type, or null when it has none
     */
    public TypeProto declaredType(String name) {
        GraphProto g = model.proto().getGraph();
        for (ValueInfoProto v : g.getInputList()) {
            if (v.getName().equals(name)) {
                return v.getType();
            }
        }
        for (ValueInfoProto v : g.getOutputList()) {
            if (v.getName().equals(name)) {
                return v.getType();
            }
        }
        return null;
    }

    /**
     * The parameters by ONNX tensor name.
     *
     * @return trainable weights and running statistics, read-only
     * @throws IllegalStateException after {@link #close()}
     */
    public Map<String, Parameter> onnxParameters() {
        checkOpen();
        return Collections.unmodifiableMap(byOnnxName);
    }

    /**
     * One parameter by ONNX tensor name.
     *
     * @param onnxName the initializer's (or Constant's, or split's) name
     * @return the parameter
     * @throws MergeNetException if there is no parameter of that name
     * @throws IllegalStateException after {@link #close()}
     */
    public Parameter parameter(String onnxName) {
        checkOpen();
        Parameter p = byOnnxName.get(onnxName);
        if (p == null) {
            throw new MergeNetException(model.origin() + ": no parameter named '" + onnxName + "'");
        }
        return p;
    }

    /**
     * The BatchNormalization running statistics.
     *
     * @return their names (non-gradient parameters), read-only
     */
    public Set<String> runningStatNames() {
        return Collections.unmodifiableSet(runningStats);
    }

    /**
     * What the import split into independent tensors.
     *
     * @return the split plan (empty for most models)
     */
    public InitializerSplit split() {
        return split;
    }

    /**
     * The graph the block runs.
     *
     * @return the model's graph with the splits as initializers of their own
     */
    public GraphProto runGraph() {
        return runGraph;
    }

    /**
     * For each parameter, the nodes that read it (a subgraph's read counts for the node that holds it).
     *
     * @return parameter name to node names, in graph order
     */
    public Map<String, List<String>> parameterConsumers() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        byOnnxName.keySet().forEach(k -> map.put(k, new ArrayList<>()));
        for (int i = 0; i < runGraph.getNodeCount(); i++) {
            NodeProto n = runGraph.getNode(i);
            String node = n.getName().isEmpty() ? n.getOpType() + "#" + i : n.getName();
            Set<String> reads = new LinkedHashSet<>(n.getInputList());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    reads.addAll(GraphOrder.freeNames(a.getG()));
                }
                a.getGraphsList().forEach(sub -> reads.addAll(GraphOrder.freeNames(sub)));
            }
            for (String r : reads) {
                List<String> list = map.get(r);
                if (list != null && !list.contains(node)) {
                    list.add(node);
                }
            }
        }
        return map;
    }

    /**
     * The tensors that are not trained.
     *
     * @return integer, bool, shape and scalar tensors by name, read-only
     * @throws IllegalStateException after {@link #close()}
     */
    public Map<String, NDArray> frozenTensors() {
        checkOpen();
        return Collections.unmodifiableMap(frozen);
    }

    /**
     * The float weights that came from Constant nodes.
     *
     * @return value name to the Constant node's name, read-only
     */
    public Map<String, String> hoistedConstants() {
        return Collections.unmodifiableMap(hoisted);
    }

    /** Releases the parameter and constant arrays this block owns; closing it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        byOnnxName.values().forEach(Parameter::close);
        frozen.values().forEach(NDArray::close);
        frozenCopies.values().forEach(m -> m.values().forEach(NDArray::close));
    }

    /**
     * Whether this block's arrays were released.
     *
     * @return true after {@link #close()}
     */
    public boolean isClosed() {
        return closed;
    }

    /** A closed block's arrays are freed: using it is a caller's bug, named here instead of a native error. */
    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(model.origin() + ": the imported graph was closed; its parameters and"
                    + " constants are released, import the model again to use it");
        }
    }

    @Override
    public String toString() {
        return "OnnxGraphBlock(" + model.origin() + ": " + graph.steps().size() + " nodes, " + byOnnxName.size()
                + " parameters, " + frozen.size() + " frozen tensors)";
    }
}
