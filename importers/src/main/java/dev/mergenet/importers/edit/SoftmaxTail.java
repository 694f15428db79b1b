package dev.mergenet.importers.edit;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifiers often end in Softmax; training wants the logits (cross-entropy applies its own softmax). The
 * training view drops trailing Softmax nodes so the graph outputs the logits; {@link #reattach} puts them
 * back on a trained copy so the exported model outputs what the original did.
 */
public final class SoftmaxTail {
    private SoftmaxTail() {}

    /** A Softmax taken off a graph output: the node, where the output was listed, and its declaration. */
    public record Removed(NodeProto node, int outputIndex, ValueInfoProto output) {}

    /** The model without its trailing Softmax nodes, and what was removed. */
    public record TrainingView(OnnxModel model, List<Removed> removed) {}

    public static TrainingView trainingView(OnnxModel model) {
        GraphProto g = model.proto().getGraph();
        GraphIndex idx = new GraphIndex(g);
        List<Removed> removed = new ArrayList<>();
        GraphProto.Builder gb = g.toBuilder();
        List<Integer> drop = new ArrayList<>();
        for (int i = 0; i < g.getOutputCount(); i++) {
            ValueInfoProto out = g.getOutput(i);
            int p = idx.producer(out.getName());
            if (p < 0 || !g.getNode(p).getOpType().equals("Softmax") || idx.consumerCount(out.getName()) > 0) {
                continue;
            }
            NodeProto softmax = g.getNode(p);
            removed.add(new Removed(softmax, i, out));
            drop.add(p);
            gb.setOutput(i, out.toBuilder().setName(softmax.getInput(0)).clearType()
                    .setType(logitsType(out)).build());
        }
        drop.sort(null);
        for (int k = drop.size() - 1; k >= 0; k--) {
            gb.removeNode(drop.get(k));
        }
        return new TrainingView(model.withProto(model.proto().toBuilder().setGraph(gb).build()), removed);
    }

    /** Softmax keeps its input's shape and type, so the logits' declaration is the probabilities' one. */
    private static dev.mergenet.onnx.Onnx.TypeProto logitsType(ValueInfoProto probabilities) {
        return probabilities.getType();
    }

    /** {@code trained} (a training view, possibly with new weights) with the removed Softmax nodes restored. */
    public static ModelProto reattach(ModelProto trained, List<Removed> removed) {
        GraphProto.Builder gb = trained.getGraph().toBuilder();
        for (Removed r : removed) {
            String logits = r.node().getInput(0);
            if (r.outputIndex() >= gb.getOutputCount() || !gb.getOutput(r.outputIndex()).getName().equals(logits)) {
                throw new MergeNetException("cannot put Softmax '" + r.node().getName() + "' back: graph output "
                        + r.outputIndex() + " is no longer '" + logits + "'");
            }
            gb.addNode(r.node());
            gb.setOutput(r.outputIndex(), r.output());
        }
        return trained.toBuilder().setGraph(gb).build();
    }
}
