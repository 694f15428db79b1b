package dev.mergenet.transfer.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * A classifier the training loop drives: named trainable weights, named non-gradient state (BatchNorm running
 * statistics) and a forward pass producing class scores. Names are ONNX tensor names for imported models.
 */
public interface TrainableModel {
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

    /** Weight names in a sensible default order for --pairs auto: preferred candidates first. */
    List<String> transferCandidates(boolean asTarget);

    /** The same candidates with the node using each and why it ranks where it does (empty when not known). */
    default List<TransferCandidates.Candidate> describedCandidates(boolean asTarget) {
        return List.of();
    }
}
