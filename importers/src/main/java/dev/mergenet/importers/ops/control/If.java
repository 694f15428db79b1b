package dev.mergenet.importers.ops.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.importers.ops.spi.Subgraph;
import java.util.List;

/** If: runs then_branch or else_branch (compiled at import; they read the enclosing graph's values). */
@OnnxOp(
        type = "If",
        since = {1, 11, 13, 16, 19, 21})
public final class If implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        Subgraph thenBranch = node.subgraph("then_branch");
        Subgraph elseBranch = node.subgraph("else_branch");
        int outputs = node.outputs().size();
        String owner = node.describe();
        return (ctx, in) -> {
            boolean cond = truth(in.get(0), owner);
            NDList out = ctx.runSubgraph(cond ? thenBranch : elseBranch, List.of());
            if (out.size() != outputs) {
                throw new MergeNetException(owner + ": the " + (cond ? "then" : "else") + " branch produced "
                        + out.size() + " outputs, the node declares " + outputs);
            }
            return out;
        };
    }

    /** The truth value of a one-element condition tensor. */
    static boolean truth(NDArray cond, String owner) {
        if (cond.size() != 1) {
            throw new OnnxFormatException(
                    owner + ": the condition must have one element, got shape " + cond.getShape());
        }
        return cond.toType(DataType.FLOAT64, false).toDoubleArray()[0] != 0;
    }
}
