package dev.mergenet.importers.ops.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.LoopBudget;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.importers.ops.spi.Subgraph;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop: runs the body while the trip count (input M) and the condition allow. The body takes
 * (iteration, condition, carried values...) and returns (condition, carried values..., scan values...); the
 * node outputs the final carried values, then each scan value stacked over the iterations.
 */
@OnnxOp(
        type = "Loop",
        since = {1, 11, 13, 16, 19, 21})
public final class Loop implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        Subgraph body = node.subgraph("body");
        String owner = node.describe();
        int carried = Math.max(0, node.inputs().size() - 2);
        int scans = node.outputs().size() - carried;
        return (ctx, in) -> {
            long maxTrips = in.has(0) ? in.scalarLong(0) : Long.MAX_VALUE;
            boolean cond = !in.has(1) || If.truth(in.get(1), owner);
            List<NDArray> values = new ArrayList<>();
            for (int i = 0; i < carried; i++) {
                values.add(in.get(2 + i));
            }
            List<List<NDArray>> scanned = new ArrayList<>();
            for (int k = 0; k < scans; k++) {
                scanned.add(new ArrayList<>());
            }
            LoopBudget budget = LoopBudget.start(owner);
            for (long trip = 0; trip < maxTrips && cond; trip++) {
                budget.beforeIteration(trip);
                List<NDArray> feed = new ArrayList<>();
                feed.add(ctx.manager().create(trip));
                feed.add(ctx.manager().create(cond));
                feed.addAll(values);
                NDList out = ctx.runSubgraph(body, feed);
                if (out.size() != 1 + carried + scans) {
                    throw new MergeNetException(
                            owner + ": the body returned " + out.size() + " values, expected " + (1 + carried + scans));
                }
                cond = If.truth(out.get(0), owner);
                for (int i = 0; i < carried; i++) {
                    values.set(i, out.get(1 + i));
                }
                for (int k = 0; k < scans; k++) {
                    scanned.get(k).add(out.get(1 + carried + k));
                }
            }
            NDList result = new NDList();
            values.forEach(result::add);
            for (int k = 0; k < scans; k++) {
                List<NDArray> s = scanned.get(k);
                result.add(
                        s.isEmpty()
                                ? emptyScan(ctx.manager(), body.declaredOutput(1 + carried + k))
                                : NDArrays.stack(new NDList(s), 0));
            }
            return result;
        };
    }

    /** The scan output of a loop that ran no iteration: zero rows of the body output's declared type and shape. */
    private static NDArray emptyScan(NDManager m, ValueInfoProto declared) {
        TypeProto.Tensor t = declared.getType().getTensorType();
        DataType type = t.getElemType() == 0 ? null : OnnxDataTypes.toDjl(t.getElemType());
        long[] dims = new long[t.getShape().getDimCount() + 1];
        for (int i = 0; i < t.getShape().getDimCount(); i++) {
            // An unknown extent stays 0: the array has no rows, so its row shape matters only for rank.
            dims[i + 1] = t.getShape().getDim(i).hasDimValue()
                    ? t.getShape().getDim(i).getDimValue()
                    : 0;
        }
        return m.zeros(new Shape(dims), type == null ? DataType.FLOAT32 : type);
    }
}
