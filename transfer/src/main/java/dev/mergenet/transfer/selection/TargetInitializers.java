package dev.mergenet.transfer.selection;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.edit.FloatTensors;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A target model with some float32 initializers replaced (e.g. by a selection): a new proto, the input untouched. */
public final class TargetInitializers {
    private TargetInitializers() {}

    /** A model whose shared float initializers were split, and one line per split. */
    public record Untied(OnnxModel model, List<String> notes) {}

    /**
     * Every Identity of a float initializer made a tensor of its own, named by the Identity's output, as the importer
     * splits them into independent parameters: an export that merged equal initializers (a fresh model's equal norm
     * scales) must not force two layers to share one selection. A tensor several nodes read directly is true weight
     * tying and stays shared, as in the importer.
     */
    public static Untied untied(OnnxModel model) {
        GraphProto.Builder g = model.proto().getGraph().toBuilder();
        Map<String, TensorProto> floats = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                floats.put(t.getName(), t);
            }
        }
        // an exporter that merged equal initializers names the others through Identity nodes: make them tensors again
        Set<String> graphOutputs = new HashSet<>();
        g.getOutputList().forEach(v -> graphOutputs.add(v.getName()));
        List<String> notes = new ArrayList<>();
        for (int i = g.getNodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto n = g.getNode(i);
            if (n.getOpType().equals("Identity")
                    && n.getInputCount() == 1
                    && n.getOutputCount() == 1
                    && floats.containsKey(n.getInput(0))
                    && !graphOutputs.contains(n.getOutput(0))
                    && !floats.containsKey(n.getOutput(0))) {
                TensorProto copy = floats.get(n.getInput(0)).toBuilder()
                        .setName(n.getOutput(0))
                        .build();
                g.addInitializer(copy);
                floats.put(copy.getName(), copy);
                g.removeNode(i);
                notes.add(
                        0,
                        copy.getName() + ": an Identity of " + n.getInput(0) + " (the exporter merged equal"
                                + " initializers); made a tensor of its own, as the importer does");
            }
        }
        return new Untied(model.withProto(model.proto().toBuilder().setGraph(g).build()), notes);
    }

    public static OnnxModel apply(OnnxModel target, Map<String, HostTensor> tensors) {
        GraphProto.Builder g = target.proto().getGraph().toBuilder();
        Set<String> done = new HashSet<>();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            HostTensor h = tensors.get(t.getName());
            if (h == null) {
                continue;
            }
            long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE || !Arrays.equals(dims, h.shape())) {
                throw new MergeNetException(target.origin() + ": initializer '" + t.getName() + "' is "
                        + Arrays.toString(dims) + " of type " + t.getDataType() + ", the new value a float32 "
                        + h.shapeText());
            }
            g.setInitializer(i, FloatTensors.of(t.getName(), dims, h.values()));
            done.add(t.getName());
        }
        for (String name : tensors.keySet()) {
            if (!done.contains(name)) {
                throw new MergeNetException(target.origin() + ": no initializer named '" + name + "' to replace");
            }
        }
        return target.withProto(target.proto().toBuilder().setGraph(g).build());
    }
}
