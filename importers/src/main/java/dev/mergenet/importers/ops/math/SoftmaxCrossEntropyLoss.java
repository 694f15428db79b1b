package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/** SoftmaxCrossEntropyLoss: log-softmax over the class axis (1), then the negative log-likelihood loss. */
@OnnxOp(
        type = "SoftmaxCrossEntropyLoss",
        since = {12, 13})
public final class SoftmaxCrossEntropyLoss implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        NegativeLogLikelihoodLoss.Reduction reduction = NegativeLogLikelihoodLoss.Reduction.of(node);
        Long ignore = node.attrs().has("ignore_index") ? node.attrs().getInt("ignore_index", 0) : null;
        return (ctx, in) -> {
            NegativeLogLikelihoodLoss.checkInputs(node, in);
            NDArray logProb = in.get(0).logSoftmax(1);
            NDArray loss = NegativeLogLikelihoodLoss.loss(node, logProb, in.get(1), in.optional(2), ignore, reduction);
            return node.outputs().size() > 1 ? new NDList(loss, logProb) : new NDList(loss);
        };
    }
}
