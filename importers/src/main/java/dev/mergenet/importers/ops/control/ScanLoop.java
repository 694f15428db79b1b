package dev.mergenet.importers.ops.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.LoopBudget;
import dev.mergenet.importers.ops.spi.OpContext;
import dev.mergenet.importers.ops.spi.Subgraph;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The iteration Scan performs (per batch entry in version 8): states carried, scan inputs sliced per step. */
final class ScanLoop {
    private ScanLoop() {}

    /**
     * Runs {@code body} over the scan inputs' {@code inAxes} (reversed where {@code inReverse}); returns the final
     * states followed by the scan outputs stacked along {@code outAxes} (in reverse order where {@code outReverse}).
     */
    static NDList run(
            OpContext ctx,
            Subgraph body,
            List<NDArray> states,
            List<NDArray> scanInputs,
            int[] inAxes,
            boolean[] inReverse,
            int[] outAxes,
            boolean[] outReverse,
            String owner) {
        if (scanInputs.isEmpty()) {
            throw new MergeNetException(owner + ": Scan needs at least one scan input");
        }
        long steps = scanInputs.get(0).getShape().get(inAxes[0]);
        for (int i = 1; i < scanInputs.size(); i++) {
            if (scanInputs.get(i).getShape().get(inAxes[i]) != steps) {
                throw new MergeNetException(owner + ": scan inputs have different lengths along their scan axes");
            }
        }
        List<NDArray> carried = new ArrayList<>(states);
        int outputs = body.outputs().size() - states.size();
        if (steps == 0 && outputs > 0) {
            throw new OnnxFormatException(owner + ": the scan inputs have length 0, so the scan outputs have no shape");
        }
        List<List<NDArray>> collected = new ArrayList<>();
        for (int k = 0; k < outputs; k++) {
            collected.add(new ArrayList<>());
        }
        LoopBudget budget = LoopBudget.start(owner);
        budget.checkPlanned(steps, "scan length");
        for (long t = 0; t < steps; t++) {
            budget.beforeIteration(t);
            List<NDArray> feed = new ArrayList<>(carried);
            for (int i = 0; i < scanInputs.size(); i++) {
                long at = inReverse[i] ? steps - 1 - t : t;
                feed.add(slice(scanInputs.get(i), inAxes[i], at));
            }
            NDList out = ctx.runSubgraph(body, feed);
            for (int s = 0; s < carried.size(); s++) {
                carried.set(s, out.get(s));
            }
            for (int k = 0; k < outputs; k++) {
                collected.get(k).add(out.get(carried.size() + k));
            }
        }
        NDList result = new NDList();
        carried.forEach(result::add);
        for (int k = 0; k < outputs; k++) {
            List<NDArray> parts = collected.get(k);
            if (outReverse[k]) {
                Collections.reverse(parts);
            }
            int rank = parts.isEmpty() ? 1 : parts.get(0).getShape().dimension() + 1;
            if (outAxes[k] < 0 || outAxes[k] >= rank) {
                throw new OnnxFormatException(owner + ": scan_output_axes[" + k + "] = " + outAxes[k]
                        + " is out of range for scan output " + k + " of rank " + rank);
            }
            result.add(NDArrays.stack(new NDList(parts), outAxes[k]));
        }
        return result;
    }

    private static NDArray slice(NDArray x, int axis, long at) {
        NDIndex index = new NDIndex();
        for (int a = 0; a < axis; a++) {
            index.addAllDim();
        }
        index.addIndices(at);
        return x.get(index);
    }

    /** The scan axis of each scan input, in [-rank, rank-1] of that input, made non-negative. */
    static int[] axes(long[] given, int count, List<NDArray> arrays, String owner) {
        int[] axes = new int[count];
        for (int i = 0; i < count; i++) {
            long a = given == null ? 0 : given[i];
            int rank = arrays.get(i).getShape().dimension();
            if (a < -rank || a >= rank) {
                throw new OnnxFormatException(owner + ": scan_input_axes[" + i + "] = " + a + " is out of range for"
                        + " scan input " + i + " " + arrays.get(i).getShape());
            }
            axes[i] = (int) (a < 0 ? a + rank : a);
        }
        return axes;
    }

    static boolean[] reversed(long[] given, int count) {
        boolean[] r = new boolean[count];
        for (int i = 0; i < count && given != null; i++) {
            r[i] = given[i] != 0;
        }
        return r;
    }
}
