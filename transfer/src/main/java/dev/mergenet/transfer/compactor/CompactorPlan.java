package dev.mergenet.transfer.compactor;

import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.transfer.selection.HostTensor;
import dev.mergenet.transfer.selection.LayerCorrespondence;
import dev.mergenet.transfer.selection.LayerGraph;
import dev.mergenet.transfer.selection.SourceWeights;
import dev.mergenet.transfer.selection.TargetInitializers;
import dev.mergenet.transfer.selection.UniformIndices;
import dev.mergenet.transfer.selection.WeightLayer;
import dev.mergenet.transfer.selection.WeightSelection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Which target kernels learned compactors generate (W_t = C_r · W_s · C_c per kernel position, weight-inherited
 * distillation) and from which source kernel: every Conv/Gemm/MatMul weight that weight selection fills by plain
 * index selection, with equal kernel sizes and no groups. Its row and column indices are selection's, so one-hot
 * compactors at them generate exactly the selected kernel; every other tensor keeps plain selection.
 */
public record CompactorPlan(List<Layer> layers, Map<String, String> excluded) {

    /**
     * One generated kernel.
     *
     * @param target  the target's weight (initializer) name
     * @param source  the source kernel in the target's layout (transposed where the two store it differently)
     * @param outAxis the output-unit dimension of both
     * @param inAxis  the input-unit dimension of both
     * @param rows    the selected source output units, one per target output unit (C_r's one-hot columns)
     * @param cols    the selected source input units, one per target input unit (C_c's one-hot rows)
     */
    public record Layer(String target, HostTensor source, int outAxis, int inAxis, int[] rows, int[] cols) {
        /** Compactor parameters: O_t·O_s + I_s·I_t. */
        public long parameters() {
            return (long) rows.length * source.shape()[outAxis] + (long) cols.length * source.shape()[inAxis];
        }
    }

    /** The compactors' parameter count over all layers. */
    public long parameters() {
        return layers.stream().mapToLong(Layer::parameters).sum();
    }

    /**
     * The plan for {@code target} from {@code source}.
     *
     * @param permuted the random-source control: each source kernel's elements permuted (seeded by {@code seed} and
     *                 the layer's position), the same value statistics without learned structure
     */
    public static CompactorPlan of(OnnxModel source, OnnxModel target, boolean permuted, long seed) {
        WeightSelection.Selection sel = WeightSelection.select(source, target);
        LayerGraph s = LayerGraph.of(source);
        LayerGraph t = LayerGraph.of(TargetInitializers.untied(target).model());
        Map<String, HostTensor> sw = SourceWeights.read(source);
        List<Layer> layers = new ArrayList<>();
        Map<String, String> excluded = new LinkedHashMap<>();
        for (LayerCorrespondence.Match m : LayerCorrespondence.of(t, s).matches()) {
            WeightLayer at = m.target();
            WeightLayer from = m.source();
            if (at.kind() == WeightLayer.Kind.NORM || at.weight() == null) {
                continue;
            }
            HostTensor selected = sel.tensors().get(at.weight());
            String why = selected == null ? "not selected (" + reason(sel, at.weight()) + ")" : null;
            if (why == null && !at.groups().equals("dense")) {
                why = "a " + at.groups() + " conv: a row compactor would mix kernels across groups";
            }
            HostTensor w = why == null ? sw.get(from.weight()) : null;
            if (why == null && w == null) {
                why = "the source kernel " + from.weight() + " is not a float32 initializer";
            }
            if (why == null && at.outAxis() != from.outAxis()) {
                w = w.rank() == 2 ? w.transposed() : null;
                why = w == null ? "stored in another layout than the source's" : null;
            }
            int[] rows = null;
            int[] cols = null;
            if (why == null) {
                long[] shape = selected.shape();
                for (int d = 0; d < shape.length && why == null; d++) {
                    if (d != at.outAxis() && d != at.inAxis() && shape[d] != w.shape()[d]) {
                        why = "kernel " + Arrays.toString(shape) + " against the source's " + w.shapeText();
                    }
                }
                if (why == null
                        && shape[at.outAxis()] <= w.shape()[at.outAxis()]
                        && shape[at.inAxis()] <= w.shape()[at.inAxis()]) {
                    rows = UniformIndices.of((int) w.shape()[at.outAxis()], (int) shape[at.outAxis()]);
                    cols = UniformIndices.of((int) w.shape()[at.inAxis()], (int) shape[at.inAxis()]);
                    HostTensor plain = w.select(at.outAxis(), rows).select(at.inAxis(), cols);
                    if (!Arrays.equals(plain.values(), selected.values())) {
                        why = "selection applied a rule to it (summed input channels, a folded norm or weight"
                                + " tying), which one-hot compactors do not reproduce";
                    }
                } else if (why == null) {
                    why = "wider than its source";
                }
            }
            if (why != null) {
                excluded.put(at.weight(), why + "; it keeps plain selection and trains from step 0");
                continue;
            }
            HostTensor src = permuted ? permute(w, seed * 1_000_033L + layers.size()) : w;
            layers.add(new Layer(at.weight(), src, at.outAxis(), at.inAxis(), rows, cols));
        }
        return new CompactorPlan(List.copyOf(layers), Collections.unmodifiableMap(excluded));
    }

    private static String reason(WeightSelection.Selection sel, String name) {
        String r = sel.report().notMapped().get(name);
        return r == null ? "no selected value" : r;
    }

    private static HostTensor permute(HostTensor t, long seed) {
        float[] v = t.values().clone();
        Random random = new Random(seed);
        for (int i = v.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float tmp = v[i];
            v[i] = v[j];
            v[j] = tmp;
        }
        return new HostTensor(t.shape(), v);
    }
}
