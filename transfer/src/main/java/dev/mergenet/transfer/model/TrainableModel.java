package dev.mergenet.transfer.model;

import ai.djl.ndarray.NDArray;
import dev.mergenet.onnx.Onnx.GraphProto;
import java.util.Map;

/**
 * A classifier the training loop drives: named trainable weights, named non-gradient state (BatchNorm running
 * statistics) and a forward pass producing class scores. Names are ONNX tensor names for imported models.
 */
public interface TrainableModel extends AutoCloseable {
    /** The model's file or description, for messages. */
    String origin();

    /** Trainable weights by name (arrays that receive gradients). */
    Map<String, NDArray> weights();

    /** Non-gradient state saved in checkpoints (running statistics), by name. */
    Map<String, NDArray> state();

    /**
     * Log-probabilities or logits [batch, classes] for input x. The result lives in x's manager; the weights'
     * gradients accumulate when called inside a gradient collector.
     */
    NDArray forward(NDArray x, boolean training);

    /** Whether forward() returns probabilities (a trailing Softmax) rather than logits. */
    boolean outputsProbabilities();

    /**
     * Whether a weight is stored input-major ([in, out], as MatMul and Gemm with transB=0 read it); such weights
     * are transposed to the [out, in] matrix view the adapter works in.
     */
    default boolean inputMajor(String name) {
        return false;
    }

    /**
     * The ONNX graph the weights come from, for ranking them as pairing candidates by the nodes that use them
     * (null: a model built in Java, whose candidates are its matrices, last first).
     */
    default GraphProto graph() {
        return null;
    }

    /** Frees the native memory of the model's weights and state; using the model afterwards fails. */
    @Override
    void close();
}
