package dev.mergenet.exporters.writeback;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.split.InitializerSplit;
import dev.mergenet.importers.split.SplitTensor;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes trained values back into the original model: initializers in place, hoisted {@code Constant}
 * weights into their Constant nodes, BatchNorm running statistics like any other initializer. Everything
 * else in the proto stays as it was; a tensor whose bytes did not change keeps its original TensorProto, so
 * an untouched round trip is byte-identical. Tensors the importer split off a value-merged initializer are
 * written under their own names where training made them differ (new initializers, their Identity nodes
 * dropped, rewired inputs).
 */
public final class WeightWriteBack {
    private WeightWriteBack() {}

    /** What was written: tensors whose bytes changed and tensors left as they were. */
    public record Result(ModelProto model, Set<String> changed, Set<String> unchanged) {}

    /** The imported block's current parameter values written into the model it was imported from. */
    public static Result apply(OnnxGraphBlock block) {
        Map<String, NDArray> values = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : block.onnxParameters().entrySet()) {
            values.put(e.getKey(), e.getValue().getArray());
        }
        checkHoisted(block);
        return apply(block.model(), values);
    }

    /**
     * {@code values} (by ONNX tensor name) written into {@code model}; every name must exist there or be a tensor
     * the importer split off a shared initializer ({@link InitializerSplit}).
     */
    public static Result apply(OnnxModel model, Map<String, NDArray> values) {
        Map<String, NDArray> pending = new HashMap<>(values);
        Set<String> changed = new HashSet<>();
        Set<String> unchanged = new HashSet<>();
        GraphProto g = splitOff(model, pending, changed, unchanged);
        GraphProto.Builder gb = g.toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            NDArray v = pending.remove(t.getName());
            if (v != null) {
                TensorProto updated = updated(t.getName(), t, v, model, changed, unchanged);
                if (updated != t) {
                    gb.setInitializer(i, updated);
                }
            }
        }
        for (int i = 0; i < g.getNodeCount() && !pending.isEmpty(); i++) {
            NodeProto n = g.getNode(i);
            if (!n.getOpType().equals("Constant") || n.getOutputCount() != 1 || !pending.containsKey(n.getOutput(0))) {
                continue;
            }
            int slot = valueAttribute(n);
            if (slot < 0) {
                continue;
            }
            TensorProto t = n.getAttribute(slot).getT();
            NDArray v = pending.remove(n.getOutput(0));
            TensorProto updated = updated(n.getOutput(0), t, v, model, changed, unchanged);
            if (updated != t) {
                AttributeProto a =
                        n.getAttribute(slot).toBuilder().setT(updated).build();
                gb.setNode(i, n.toBuilder().setAttribute(slot, a).build());
            }
        }
        if (!pending.isEmpty()) {
            throw new MergeNetException(model.origin() + ": no initializer or Constant node holds the trained "
                    + "parameter(s) " + new TreeSet<>(pending.keySet()));
        }
        ModelProto out = changed.isEmpty()
                ? model.proto()
                : model.proto().toBuilder().setGraph(gb).build();
        return new Result(out, changed, unchanged);
    }

    /**
     * Takes the split tensors out of {@code pending} and returns the model's graph with those whose values now
     * differ from what their consumers would read without them (the initializer they were split from, or its
     * own split copy) as initializers of their own; the others keep the original sharing, so an untouched
     * model stays byte-identical.
     */
    private static GraphProto splitOff(
            OnnxModel model, Map<String, NDArray> pending, Set<String> changed, Set<String> unchanged) {
        GraphProto g = model.proto().getGraph();
        InitializerSplit plan = InitializerSplit.plan(model, Set.of());
        if (plan.isEmpty()) {
            return g;
        }
        Map<String, TensorProto> initializers = new HashMap<>();
        g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Map<String, ByteBuffer> own = new HashMap<>();
        Map<String, TensorProto> tensors = new LinkedHashMap<>();
        for (SplitTensor.Kind kind : SplitTensor.Kind.values()) {
            for (SplitTensor s : plan.splits()) {
                NDArray v = s.kind() == kind ? pending.remove(s.name()) : null;
                if (v == null) {
                    continue;
                }
                TensorProto root = initializers.get(plan.rootOf(s.name()));
                Shape expected = TensorDecoder.shape(root);
                if (!v.getShape().equals(expected)) {
                    throw new MergeNetException(model.origin() + ": trained parameter '" + s.name() + "' has shape "
                            + v.getShape() + " but the tensor it was split from, '" + root.getName() + "', has "
                            + expected);
                }
                ByteBuffer now = TensorEncoder.bytes(v, root.getDataType());
                ByteBuffer read = own.containsKey(s.source())
                        ? own.get(s.source())
                        : rootValue(model, root, pending.get(root.getName()));
                if (now.equals(read.duplicate().rewind())) {
                    unchanged.add(s.name());
                    continue;
                }
                changed.add(s.name());
                own.put(s.name(), now);
                tensors.put(
                        s.name(),
                        TensorEncoder.encodeLike(root, now).toBuilder()
                                .setName(s.name())
                                .build());
            }
        }
        return plan.apply(g, tensors);
    }

    /** The bytes an initializer will hold in the output: its trained value, or its original one. */
    private static ByteBuffer rootValue(OnnxModel model, TensorProto root, NDArray trained) {
        if (trained != null) {
            return TensorEncoder.bytes(trained, root.getDataType());
        }
        return TensorDecoder.decode(root, model.origin(), model.baseDir()).bytes();
    }

    /** Each hoisted weight must still come from the Constant node it was lifted from. */
    private static void checkHoisted(OnnxGraphBlock block) {
        GraphIndex index = new GraphIndex(block.model().proto().getGraph());
        for (Map.Entry<String, String> h : block.hoistedConstants().entrySet()) {
            if (!h.getValue().equals(constantNodeName(index, h.getKey()))) {
                throw new MergeNetException(block.model().origin() + ": weight '" + h.getKey()
                        + "' was lifted from Constant node '" + h.getValue() + "', which the model no longer has");
            }
        }
    }

    /** The name of the one-output Constant node producing {@code value} (the last if several do), or null. */
    private static String constantNodeName(GraphIndex index, String value) {
        String name = null;
        for (int p : index.producers(value)) {
            NodeProto n = index.node(p);
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                name = n.getName();
            }
        }
        return name;
    }

    private static int valueAttribute(NodeProto n) {
        for (int k = 0; k < n.getAttributeCount(); k++) {
            if (n.getAttribute(k).getName().equals("value") && n.getAttribute(k).hasT()) {
                return k;
            }
        }
        return -1;
    }

    private static TensorProto updated(
            String name,
            TensorProto original,
            NDArray value,
            OnnxModel model,
            Set<String> changed,
            Set<String> unchanged) {
        Shape expected = TensorDecoder.shape(original);
        if (!value.getShape().equals(expected)) {
            throw new MergeNetException(model.origin() + ": trained parameter '" + name + "' has shape "
                    + value.getShape() + " but the model's tensor has " + expected);
        }
        ByteBuffer now = TensorEncoder.bytes(value, original.getDataType());
        ByteBuffer before =
                TensorDecoder.decode(original, model.origin(), model.baseDir()).bytes();
        if (now.equals(before.duplicate().rewind())) {
            unchanged.add(name);
            return original;
        }
        changed.add(name);
        return TensorEncoder.encodeLike(original, now);
    }
}
