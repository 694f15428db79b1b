package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * ScatterElements (and the older Scatter): a copy of data with updates[p] written at p's position with its
 * 'axis' coordinate replaced by indices[p]; 'reduction' (opset 16/18) combines instead of overwriting.
 */
@OnnxOp(
        type = "Scatter",
        since = {9, 11})
@OnnxOp(
        type = "ScatterElements",
        since = {11, 13, 16, 18})
public final class ScatterElements implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long axis = node.attrs().getInt("axis", 0);
        FlatScatter.Reduction reduction = FlatScatter.Reduction.parse(
                node.attrs().getString("reduction", "none"),
                node.opType().equals("Scatter") ? 0 : node.sinceVersion(),
                node);
        return (ctx, in) -> new NDList(run(in, axis, reduction, node, ctx.manager()));
    }

    private static NDArray run(
            OpInputs in, long axis, FlatScatter.Reduction reduction, OnnxNode node, NDManager manager) {
        NDArray data = in.get(0);
        NDArray indices = in.get(1);
        NDArray updates = in.get(2);
        long[] dims = data.getShape().getShape();
        long[] idxDims = indices.getShape().getShape();
        int rank = dims.length;
        if (idxDims.length != rank || !updates.getShape().equals(indices.getShape())) {
            throw new MergeNetException(node.describe() + ": data " + data.getShape() + ", indices "
                    + indices.getShape() + " and updates " + updates.getShape() + " do not fit");
        }
        int a = Axes.normalize(axis, rank, node, "axis");
        long[] idx = in.longs(1);
        long[] dataStrides = Axes.strides(dims);
        long[] coord = new long[rank];
        long[] targets = new long[idx.length];
        long[] sources = new long[idx.length];
        for (int p = 0; p < idx.length; p++) {
            long v = idx[p] < 0 ? idx[p] + dims[a] : idx[p];
            if (v < 0 || v >= dims[a]) {
                throw new MergeNetException(node.describe() + ": index " + idx[p] + " is out of range for axis " + a
                        + " of size " + dims[a]);
            }
            long t = 0;
            for (int d = 0; d < rank; d++) {
                if (d != a && coord[d] >= dims[d]) {
                    throw new MergeNetException(node.describe() + ": indices " + indices.getShape() + " exceed data "
                            + data.getShape() + " on axis " + d);
                }
                t += (d == a ? v : coord[d]) * dataStrides[d];
            }
            targets[p] = t;
            sources[p] = p;
            for (int d = rank - 1; d >= 0; d--) {
                if (++coord[d] < idxDims[d]) {
                    break;
                }
                coord[d] = 0;
            }
        }
        return FlatScatter.apply(data, updates, targets, sources, reduction, manager);
    }
}
