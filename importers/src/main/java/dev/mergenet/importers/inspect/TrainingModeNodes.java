package dev.mergenet.importers.inspect;

import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Nodes exported in training mode (a Dropout whose training_mode input is true, a BatchNormalization with
 * training_mode=1): ONNX Runtime then drops activations or normalises with batch statistics at inference.
 */
public final class TrainingModeNodes {
    private TrainingModeNodes() {}

    /** One line per such node of the top-level graph: op, name and why. */
    public static List<String> find(OnnxModel model) {
        GraphProto g = model.proto().getGraph();
        Map<String, TensorProto> constants = new HashMap<>();
        g.getInitializerList().forEach(t -> constants.put(t.getName(), t));
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                n.getAttributeList().stream()
                        .filter(a -> a.getName().equals("value") && a.hasT())
                        .findFirst()
                        .ifPresent(a -> constants.put(n.getOutput(0), a.getT()));
            }
        }
        List<String> found = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!OnnxModel.normalizeDomain(n.getDomain()).isEmpty()) {
                continue;
            }
            String name = n.getName().isEmpty() ? n.getOpType() + "#" + i : n.getName();
            if (n.getOpType().equals("Dropout")
                    && n.getInputCount() > 2
                    && !n.getInput(2).isEmpty()) {
                TensorProto mode = constants.get(n.getInput(2));
                if (mode == null) {
                    found.add("Dropout '" + name + "': training_mode comes from '" + n.getInput(2)
                            + "', computed at run time");
                } else if (isTrue(mode, model)) {
                    found.add("Dropout '" + name + "': training_mode input '" + n.getInput(2)
                            + "' is true, so ONNX Runtime drops activations at inference");
                }
            }
            if (n.getOpType().equals("BatchNormalization")
                    && n.getAttributeList().stream()
                            .anyMatch(a -> a.getName().equals("training_mode") && a.getI() != 0)) {
                found.add("BatchNormalization '" + name + "': training_mode=1, so ONNX Runtime normalises with "
                        + "batch statistics at inference");
            }
        }
        return found;
    }

    private static boolean isTrue(TensorProto t, OnnxModel model) {
        ByteBuffer b = TensorDecoder.decode(t, model.origin(), model.baseDir()).bytes();
        while (b.hasRemaining()) {
            if (b.get() != 0) {
                return true;
            }
        }
        return false;
    }
}
