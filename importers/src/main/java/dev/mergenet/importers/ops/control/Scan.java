package dev.mergenet.importers.ops.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.importers.ops.spi.Subgraph;
import java.util.ArrayList;
import java.util.List;

/**
 * Scan. Since version 9: inputs are N states then M scan inputs, sliced along scan_input_axes (direction per
 * scan_input_directions); scan outputs stack along scan_output_axes. Version 8 has a leading batch axis on
 * every input and an optional sequence_lens first input; each batch entry is scanned separately over its own
 * length, and its scan outputs are zero past that length.
 */
@OnnxOp(type = "Scan", since = {8, 9, 11, 16, 19, 21})
public final class Scan implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        Subgraph body = node.subgraph("body");
        String owner = node.describe();
        int m = (int) node.attrs().requireInt("num_scan_inputs");
        boolean batched = node.sinceVersion() < 9;
        long[] inAxes = node.attrs().getInts("scan_input_axes", null);
        long[] inDirs = node.attrs().getInts(batched ? "directions" : "scan_input_directions", null);
        long[] outAxes = node.attrs().getInts("scan_output_axes", null);
        long[] outDirs = node.attrs().getInts("scan_output_directions", null);
        return (ctx, in) -> {
            int first = batched ? 1 : 0;
            int n = in.size() - first - m;
            List<NDArray> states = new ArrayList<>(in.all().subList(first, first + n));
            List<NDArray> scans = new ArrayList<>(in.all().subList(first + n, in.size()));
            int k = body.outputs().size() - n;
            if (!batched) {
                return ScanLoop.run(ctx, body, states, scans, ScanLoop.axes(inAxes, m, scans, 0),
                        ScanLoop.reversed(inDirs, m), outputAxes(outAxes, k, body, n),
                        ScanLoop.reversed(outDirs, k), owner);
            }
            long batch = scans.get(0).getShape().get(0);
            long steps = scans.get(0).getShape().get(1);
            long[] lengths = in.has(0) ? in.longs(0) : null;
            List<NDList> perBatch = new ArrayList<>();
            for (long b = 0; b < batch; b++) {
                long length = lengths == null ? steps : lengths[(int) b];
                if (length < 1 || length > steps) {
                    throw new MergeNetException(owner + ": sequence_lens[" + b + "] = " + length + " is outside [1, "
                            + steps + "]");
                }
                List<NDArray> bs = new ArrayList<>();
                for (NDArray s : states) {
                    bs.add(s.get(b));
                }
                List<NDArray> bx = new ArrayList<>();
                for (NDArray s : scans) {
                    bx.add(s.get(b).get(new NDIndex("0:{}", length)));
                }
                NDList r = ScanLoop.run(ctx, body, bs, bx, new int[m], ScanLoop.reversed(inDirs, m), new int[k],
                        new boolean[k], owner);
                // Scan outputs past a sequence's length are zero, so every batch entry has the full length.
                for (int j = n; j < n + k && length < steps; j++) {
                    NDArray part = r.get(j);
                    long[] tail = part.getShape().getShape().clone();
                    tail[0] = steps - length;
                    r.set(j, part.concat(ctx.manager().zeros(new Shape(tail), part.getDataType()), 0));
                }
                perBatch.add(r);
            }
            NDList out = new NDList();
            for (int j = 0; j < n + k; j++) {
                NDList parts = new NDList();
                for (NDList r : perBatch) {
                    parts.add(r.get(j));
                }
                out.add(NDArrays.stack(parts, 0));
            }
            return out;
        };
    }

    private static int[] outputAxes(long[] given, int k, Subgraph body, int n) {
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            long a = given == null ? 0 : given[i];
            if (a < 0) {
                int rank = body.declaredOutput(n + i).getType().getTensorType().getShape().getDimCount() + 1;
                if (rank <= 1) {
                    throw new MergeNetException("Scan: a negative scan_output_axes needs the body output's rank");
                }
                a += rank;
            }
            axes[i] = (int) a;
        }
        return axes;
    }
}
