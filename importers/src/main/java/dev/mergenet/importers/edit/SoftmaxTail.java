package dev.mergenet.importers.edit;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
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

    /**
     * A Softmax taken off a graph output.
     *
     * @param node the Softmax node
     * @param outputIndex where the output was listed among the graph outputs
     * @param output the output's declaration
     */
    public record Removed(NodeProto node, int outputIndex, ValueInfoProto output) {}

    /**
     * The model without its trailing Softmax nodes, and what was removed.
     *
     * @param model the model that outputs logits
     * @param removed the Softmax nodes taken off, for {@link #reattach}
     */
    public record TrainingView(OnnxModel model, List<Removed> removed) {}

    /**
     * The model without the Softmax nodes that end its outputs.
     *
     * @param model the classifier, as read (or re-headed)
     * @return the training view and what was removed
     */
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
            gb.setOutput(
                    i,
                    out.toBuilder()
                            .setName(softmax.getInput(0))
                            .clearType()
                            .setType(logitsType(out))
                            .build());
        }
        drop.sort(null);
        for (int k = drop.size() - 1; k >= 0; k--) {
            gb.removeNode(drop.get(k));
        }
        return new TrainingView(
                model.withProto(model.proto().toBuilder().setGraph(gb).build()), removed);
    }

    /** Softmax keeps its input's shape and type, so the logits' declaration is the probabilities' one. */
    private static TypeProto logitsType(ValueInfoProto probabilities) {
        return probabilities.getType();
    }

    /**
     * Puts the removed Softmax nodes back.
     *
     * @param trained a training view, possibly with new weights
     * @param removed what {@link #trainingView} took off
     * @return the model with its original outputs
     * @throws MergeNetException if a graph output is no longer the logits the Softmax read
     */
    public static ModelProto reattach(ModelProto trained, List<Removed> removed) {
        GraphProto.Builder gb = trained.getGraph().toBuilder();
        for (Removed r : removed) {
            String logits = r.node().getInput(0);
            if (r.outputIndex() >= gb.getOutputCount()
                    || !gb.getOutput(r.outputIndex()).getName().equals(logits)) {
                throw new MergeNetException("cannot put Softmax '" + r.node().getName() + "' back: graph output "
                        + r.outputIndex() + " is no longer '" + logits + "'");
            }
            gb.addNode(r.node());
            gb.setOutput(r.outputIndex(), r.output());
        }
        return trained.toBuilder().setGraph(gb).build();
    }
}
