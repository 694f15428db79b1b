package dev.mergenet.transfer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An imported ONNX classifier: one data input, the first graph output as class scores. Weights are the block's
 * float initializers by ONNX name; BatchNorm running statistics are state.
 */
public final class OnnxClassifier implements TrainableModel {
    private final OnnxGraphBlock block;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final Map<String, NDArray> state = new LinkedHashMap<>();
    private final boolean probabilities;
    private final Set<String> inputMajor;
    private boolean closed;

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
        NodeProto producer = new GraphIndex(block.model().proto().getGraph()).producerNode(out);
        this.probabilities = producer != null && producer.getOpType().equals("Softmax");
    }

    @Override
    public String origin() {
        return block.model().origin();
    }

    @Override
    public Map<String, NDArray> weights() {
        checkOpen();
        return Collections.unmodifiableMap(weights);
    }

    @Override
    public Map<String, NDArray> state() {
        checkOpen();
        return Collections.unmodifiableMap(state);
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        checkOpen();
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

    @Override
    public GraphProto graph() {
        return block.model().proto().getGraph();
    }

    @Override
    public boolean inputMajor(String name) {
        return inputMajor.contains(name);
    }

    /** Weights read as [in, out]: MatMul's second input and Gemm's B without transB. */
    public static Set<String> inputMajorWeights(GraphProto g) {
        Set<String> out = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getInputCount() < 2) {
                continue;
            }
            boolean transB =
                    n.getAttributeList().stream().anyMatch(a -> a.getName().equals("transB") && a.getI() != 0);
            if (n.getOpType().equals("MatMul") || (n.getOpType().equals("Gemm") && !transB)) {
                out.add(n.getInput(1));
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            block.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(origin() + ": model used after close()");
        }
    }
}
