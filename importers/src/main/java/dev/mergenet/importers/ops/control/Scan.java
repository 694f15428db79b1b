package dev.mergenet.importers.ops.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
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
@OnnxOp(
        type = "Scan",
        since = {8, 9, 11, 16, 19, 21})
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
        int first = batched ? 1 : 0;
        int n = node.inputs().size() - first - m;
        int k = body.outputs().size() - n;
        if (m < 1 || n < 0 || k < 0) {
            throw new OnnxFormatException(owner + ": num_scan_inputs " + m + " does not fit "
                    + node.inputs().size() + " inputs and a body with "
                    + body.outputs().size() + " outputs");
        }
        checkLength(owner, "scan_input_axes", inAxes, m);
        checkLength(owner, batched ? "directions" : "scan_input_directions", inDirs, m);
        checkLength(owner, "scan_output_axes", outAxes, k);
        checkLength(owner, "scan_output_directions", outDirs, k);
        return (ctx, in) -> {
            List<NDArray> states = new ArrayList<>(in.all().subList(first, first + n));
            List<NDArray> scans = new ArrayList<>(in.all().subList(first + n, in.size()));
            if (!batched) {
                return ScanLoop.run(
                        ctx,
                        body,
                        states,
                        scans,
                        ScanLoop.axes(inAxes, m, scans, owner),
                        ScanLoop.reversed(inDirs, m),
                        outputAxes(outAxes, k, body, n, owner),
                        ScanLoop.reversed(outDirs, k),
                        owner);
            }
            long batch = checkBatched(owner, node, in.all(), first);
            long steps = scans.get(0).getShape().get(1);
            long[] lengths = in.has(0) ? in.longs(0) : null;
            if (lengths != null && lengths.length != batch) {
                throw new OnnxFormatException(owner + ": sequence_lens '"
                        + node.inputs().get(0) + "' has " + lengths.length + " values for a batch of " + batch);
            }
            List<NDList> perBatch = new ArrayList<>();
            for (long b = 0; b < batch; b++) {
                long length = lengths == null ? steps : lengths[(int) b];
                if (length < 1 || length > steps) {
                    throw new OnnxFormatException(
                            owner + ": sequence_lens[" + b + "] = " + length + " is outside [1, " + steps + "]");
                }
                List<NDArray> bs = new ArrayList<>();
                for (NDArray s : states) {
                    bs.add(s.get(b));
                }
                List<NDArray> bx = new ArrayList<>();
                for (NDArray s : scans) {
                    bx.add(s.get(b).get(new NDIndex("0:{}", length)));
                }
                NDList r = ScanLoop.run(
                        ctx, body, bs, bx, new int[m], ScanLoop.reversed(inDirs, m), new int[k], new boolean[k], owner);
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

    /** An optional per-input attribute must have one value per input it describes. */
    private static void checkLength(String owner, String name, long[] values, int expected) {
        if (values != null && values.length != expected) {
            throw new OnnxFormatException(
                    owner + ": " + name + " has " + values.length + " values, expected " + expected);
        }
    }

    /** Version 8: every input after sequence_lens has the batch axis first, scan inputs a sequence axis next. */
    private static long checkBatched(String owner, OnnxNode node, List<NDArray> inputs, int first) {
        long batch = -1;
        for (int i = first; i < inputs.size(); i++) {
            NDArray a = inputs.get(i);
            boolean scan = i >= inputs.size() - (int) node.attrs().requireInt("num_scan_inputs");
            int rank = a.getShape().dimension();
            if (rank < (scan ? 2 : 1) || (batch >= 0 && a.getShape().get(0) != batch)) {
                throw new OnnxFormatException(
                        owner + ": input '" + node.inputs().get(i) + "' " + a.getShape()
                                + " must have the batch axis" + (batch >= 0 ? " (" + batch + ")" : "")
                                + (scan ? " then the sequence axis" : ""));
            }
            batch = a.getShape().get(0);
        }
        return batch;
    }

    private static int[] outputAxes(long[] given, int k, Subgraph body, int n, String owner) {
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            long a = given == null ? 0 : given[i];
            if (a < 0) {
                int rank = body.declaredOutput(n + i)
                                .getType()
                                .getTensorType()
                                .getShape()
                                .getDimCount()
                        + 1;
                if (rank <= 1) {
                    throw new OnnxFormatException(owner + ": scan_output_axes[" + i + "] = " + a
                            + " is negative, which needs the body output's declared rank");
                }
                a += rank;
            }
            axes[i] = (int) a;
        }
        return axes;
    }
}
