package dev.mergenet.importers.ops.spi;

import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import java.util.List;
import java.util.function.Function;

/** One ONNX node as a converter sees it at import: names, parsed attributes, resolved op version. */
public final class OnnxNode {
    private final NodeProto proto;
    private final String name;
    private final String domain;
    private final int sinceVersion;
    private final long opset;
    private final String origin;
    private final Attributes attributes;
    private final Function<GraphProto, Subgraph> subgraphCompiler;
    private final EnclosingGraph enclosing;

    /**
     * {@code subgraphCompiler} compiles graph attributes in this node's scope; {@code enclosing} answers
     * queries about the node's own graph, indexed once and shared by all its nodes (may be null when unknown).
     */
    public OnnxNode(
            NodeProto proto,
            String name,
            String domain,
            int sinceVersion,
            long opset,
            String origin,
            Function<GraphProto, Subgraph> subgraphCompiler,
            EnclosingGraph enclosing) {
        this.enclosing = enclosing;
        this.proto = proto;
        this.name = name;
        this.domain = domain;
        this.sinceVersion = sinceVersion;
        this.opset = opset;
        this.origin = origin;
        this.subgraphCompiler = subgraphCompiler;
        this.attributes =
                new Attributes(proto.getAttributeList(), describeWith(name, proto.getOpType(), opset, origin));
    }

    public NodeProto proto() {
        return proto;
    }

    /** The node's name, or "OpType#index" when the model left it empty. */
    public String name() {
        return name;
    }

    public String opType() {
        return proto.getOpType();
    }

    public String domain() {
        return domain;
    }

    /** The op version this node resolved to (the largest since_version not above the model's opset). */
    public int sinceVersion() {
        return sinceVersion;
    }

    public long opset() {
        return opset;
    }

    public List<String> inputs() {
        return proto.getInputList();
    }

    public List<String> outputs() {
        return proto.getOutputList();
    }

    public Attributes attrs() {
        return attributes;
    }

    /** Compiles a graph-valued attribute (If/Loop/Scan bodies); it may read this graph's values. */
    public Subgraph subgraph(String attribute) {
        return subgraphCompiler.apply(attributes.require(attribute).getG());
    }

    /** The graph this node belongs to, as an index (null when unknown). */
    public EnclosingGraph enclosingGraph() {
        return enclosing;
    }

    /** True when input {@code i} is an initializer of the enclosing graph. */
    public boolean inputIsInitializer(int i) {
        if (enclosing == null || i >= proto.getInputCount()) {
            return false;
        }
        return enclosing.isInitializer(proto.getInput(i));
    }

    /** True when input {@code i} comes from a Constant node holding at most one element (a frozen setting). */
    public boolean inputIsScalarConstant(int i) {
        if (enclosing == null || i >= proto.getInputCount()) {
            return false;
        }
        NodeProto n = enclosing.constantProducing(proto.getInput(i));
        if (n == null) {
            return false;
        }
        var value = n.getAttributeList().stream()
                .filter(a -> a.getName().equals("value"))
                .findFirst();
        return value.isEmpty() || value.get().getT().getDimsList().stream().reduce(1L, (x, y) -> x * y) <= 1;
    }

    public String describe() {
        return describeWith(name, proto.getOpType(), opset, origin);
    }

    private static String describeWith(String name, String op, long opset, String origin) {
        return origin + ": node '" + name + "' (" + op + ", opset " + opset + ")";
    }
}
