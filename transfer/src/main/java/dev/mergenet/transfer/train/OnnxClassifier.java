package dev.mergenet.transfer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An imported ONNX classifier: one data input, the first graph output as class scores. Weights are the block's
 * float initializers by ONNX name; BatchNorm running statistics are state.
 */
public final class OnnxClassifier implements TrainableModel {
    private final OnnxGraphBlock block;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final Map<String, NDArray> state = new LinkedHashMap<>();
    private final boolean probabilities;
    private final java.util.Set<String> inputMajor;

    public OnnxClassifier(OnnxGraphBlock block, boolean trainable) {
        this.block = block;
        if (block.inputNames().size() != 1) {
            throw new MergeNetException(block.model().origin() + ": a classifier needs exactly one data input, the "
                    + "graph has " + block.inputNames());
        }
        for (Map.Entry<String, Parameter> e : block.onnxParameters().entrySet()) {
            NDArray a = e.getValue().getArray();
            if (e.getValue().requiresGradient()) {
                if (trainable) {
                    a.setRequiresGradient(true);
                }
                weights.put(e.getKey(), a);
            } else {
                state.put(e.getKey(), a);
            }
        }
        this.inputMajor = inputMajorWeights(block.model().proto().getGraph());
        String out = block.outputNames().get(0);
        NodeProto producer = producers(block.model().proto().getGraph()).get(out);
        this.probabilities = producer != null && producer.getOpType().equals("Softmax");
    }

    @Override
    public String origin() {
        return block.model().origin();
    }

    @Override
    public Map<String, NDArray> weights() {
        return Collections.unmodifiableMap(weights);
    }

    @Override
    public Map<String, NDArray> state() {
        return Collections.unmodifiableMap(state);
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDList out = block.forward(new ParameterStore(x.getManager(), false), new NDList(x), training);
        NDArray y = out.head();
        if (y.getShape().dimension() > 2) {
            y = y.reshape(y.getShape().get(0), -1); // e.g. [N, C, 1, 1] from a conv head
        }
        return y;
    }

    @Override
    public boolean outputsProbabilities() {
        return probabilities;
    }

    public OnnxGraphBlock block() {
        return block;
    }

    /**
     * Target: 1x1-conv / Gemm / MatMul weights whose output feeds a BatchNormalization (last first), then other
     * matrix weights (last first). Source: the classifier (last Gemm/MatMul weight) first.
     */
    @Override
    public List<String> transferCandidates(boolean asTarget) {
        GraphProto g = block.model().proto().getGraph();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        List<String> beforeNorm = new ArrayList<>();
        List<String> linear = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (NodeProto n : g.getNodeList()) {
            String op = n.getOpType();
            if (!(op.equals("Conv") || op.equals("Gemm") || op.equals("MatMul")) || n.getInputCount() < 2) {
                continue;
            }
            String w = n.getInput(1);
            NDArray a = weights.get(w);
            if (a == null || a.getShape().dimension() < 2) {
                continue;
            }
            boolean pointwise = !op.equals("Conv") || a.getShape().size() / a.getShape().get(0)
                    == a.getShape().get(1);
            boolean feedsNorm = n.getOutputCount() > 0 && consumers.getOrDefault(n.getOutput(0), List.of()).stream()
                    .anyMatch(c -> c.getOpType().equals("BatchNormalization"));
            if (feedsNorm && pointwise) {
                beforeNorm.add(0, w);
            } else if (!op.equals("Conv")) {
                linear.add(0, w);
            } else {
                other.add(0, w);
            }
        }
        List<String> out = new ArrayList<>();
        if (asTarget) {
            out.addAll(beforeNorm);
            out.addAll(linear);
        } else {
            out.addAll(linear);
            out.addAll(beforeNorm);
        }
        out.addAll(other);
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            if (e.getValue().getShape().dimension() >= 2 && !out.contains(e.getKey())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    @Override
    public boolean inputMajor(String name) {
        return inputMajor.contains(name);
    }

    /** Weights read as [in, out]: MatMul's second input and Gemm's B without transB. */
    static java.util.Set<String> inputMajorWeights(GraphProto g) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getInputCount() < 2) {
                continue;
            }
            boolean transB = n.getAttributeList().stream().anyMatch(a -> a.getName().equals("transB") && a.getI() != 0);
            if (n.getOpType().equals("MatMul") || (n.getOpType().equals("Gemm") && !transB)) {
                out.add(n.getInput(1));
            }
        }
        return out;
    }

    private static Map<String, NodeProto> producers(GraphProto g) {
        Map<String, NodeProto> map = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                map.put(o, n);
            }
        }
        return map;
    }
}
