package dev.mergenet.exporters.builder;

import ai.djl.ndarray.NDArray;
import com.google.protobuf.ByteString;
import dev.mergenet.exporters.writeback.TensorEncoder;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a fresh ONNX graph: every node goes through {@link #node}, which checks it against the
 * {@link OnnxOperator} catalogue; value and node names are made unique here.
 */
public final class OnnxGraphBuilder {
    /** IR version 8 is what opset 17 models are written with. */
    public static final long IR_VERSION = 8;

    private final String graphName;
    private final Set<String> names = new HashSet<>();
    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private int counter;

    public OnnxGraphBuilder(String graphName) {
        this.graphName = graphName;
    }

    /** A name not used yet in this graph, based on {@code hint}. */
    public String fresh(String hint) {
        String base = hint.isEmpty() ? "v" : hint;
        String name = base;
        while (!names.add(name)) {
            name = base + "_" + (++counter);
        }
        return name;
    }

    /** A graph input; dims below 0 become the symbolic dim named in {@code symbolic}. */
    public String input(String hint, int elemType, long[] dims, String symbolic) {
        String name = fresh(hint);
        inputs.add(valueInfo(name, elemType, dims, symbolic));
        return name;
    }

    public void output(String value, int elemType, long[] dims, String symbolic) {
        outputs.add(valueInfo(value, elemType, dims, symbolic));
    }

    /** An initializer holding the array's current values. */
    public String initializer(String hint, NDArray value) {
        String name = fresh(hint);
        initializers.add(TensorEncoder.create(name, value));
        return name;
    }

    public String initializer(TensorProto tensor) {
        String name = fresh(tensor.getName());
        initializers.add(tensor.toBuilder().setName(name).build());
        return name;
    }

    /** Adds one node after checking arity and attributes; returns its (generated) output names. */
    public List<String> node(OnnxOperator op, String hint, List<String> in, Map<String, Object> attrs) {
        return node(op, hint, in, attrs, null);
    }

    /** As {@link #node(OnnxOperator, String, List, Map)}, with output names chosen by the caller (made unique). */
    public List<String> node(
            OnnxOperator op, String hint, List<String> in, Map<String, Object> attrs, List<String> outputNames) {
        if (outputNames != null && outputNames.size() != op.outputs()) {
            throw new IllegalArgumentException(op.opType() + " has " + op.outputs() + " output(s), "
                    + outputNames.size() + " names given for '" + hint + "'");
        }
        if (in.size() < op.minInputs() || in.size() > op.maxInputs()) {
            throw new IllegalArgumentException(op.opType() + " takes " + op.minInputs()
                    + (op.maxInputs() == op.minInputs()
                            ? ""
                            : ".." + (op.maxInputs() == Integer.MAX_VALUE ? "n" : op.maxInputs()))
                    + " inputs, got " + in.size() + " for '" + hint + "'");
        }
        for (String r : op.required()) {
            if (!attrs.containsKey(r)) {
                throw new IllegalArgumentException(op.opType() + " '" + hint + "' needs attribute '" + r + "'");
            }
        }
        NodeProto.Builder b = NodeProto.newBuilder()
                .setOpType(op.opType())
                .setName(fresh(hint))
                .addAllInput(in);
        for (Map.Entry<String, Object> a : attrs.entrySet()) {
            AttrType type = op.attributes().get(a.getKey());
            if (type == null) {
                throw new IllegalArgumentException(op.opType() + " has no attribute '" + a.getKey() + "'");
            }
            b.addAttribute(attribute(op, a.getKey(), type, a.getValue()));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < op.outputs(); i++) {
            out.add(fresh(outputNames != null ? outputNames.get(i) : hint + (op.outputs() == 1 ? ":out" : ":out" + i)));
        }
        nodes.add(b.addAllOutput(out).build());
        return out;
    }

    public String node1(OnnxOperator op, String hint, List<String> in, Map<String, Object> attrs) {
        return node(op, hint, in, attrs).get(0);
    }

    public String node1(OnnxOperator op, String hint, String... in) {
        return node1(op, hint, List.of(in), Map.of());
    }

    private static AttributeProto attribute(OnnxOperator op, String name, AttrType type, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        try {
            switch (type) {
                case INT:
                    return a.setType(AttributeProto.AttributeType.INT)
                            .setI(((Number) v).longValue())
                            .build();
                case FLOAT:
                    return a.setType(AttributeProto.AttributeType.FLOAT)
                            .setF(((Number) v).floatValue())
                            .build();
                case STRING:
                    return a.setType(AttributeProto.AttributeType.STRING)
                            .setS(ByteString.copyFromUtf8((String) v))
                            .build();
                case INTS:
                    a.setType(AttributeProto.AttributeType.INTS);
                    for (long x : (long[]) v) {
                        a.addInts(x);
                    }
                    return a.build();
                case FLOATS:
                    a.setType(AttributeProto.AttributeType.FLOATS);
                    for (float x : (float[]) v) {
                        a.addFloats(x);
                    }
                    return a.build();
                case TENSOR:
                    return a.setType(AttributeProto.AttributeType.TENSOR)
                            .setT((TensorProto) v)
                            .build();
                default:
                    throw new IllegalStateException(type.toString());
            }
        } catch (ClassCastException e) {
            throw new IllegalArgumentException(
                    op.opType() + " attribute '" + name + "' must be " + type + ", got "
                            + v.getClass().getSimpleName(),
                    e);
        }
    }

    public static ValueInfoProto valueInfo(String name, int elemType, long[] dims, String symbolic) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d < 0) {
                dim.setDimParam(symbolic);
            } else {
                dim.setDimValue(d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(elemType)
                                .setShape(shape)))
                .build();
    }

    public GraphProto graph() {
        return graphBuilder().build();
    }

    private GraphProto.Builder graphBuilder() {
        return GraphProto.newBuilder()
                .setName(graphName)
                .addAllNode(nodes)
                .addAllInitializer(initializers)
                .addAllInput(inputs)
                .addAllOutput(outputs);
    }

    /** The graph as a model with the default-domain opset and our producer. */
    public ModelProto model(long opset, String producer, String producerVersion, Map<String, String> metadata) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producer)
                .setProducerVersion(producerVersion)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph());
        for (Map.Entry<String, String> e : new LinkedHashMap<>(metadata).entrySet()) {
            m.addMetadataProps(
                    StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return m.build();
    }
}
