package dev.mergenet.transfer.selection;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Weight selection (Xu et al., "Initializing Models with Larger Ones", ICLR 2024): a smaller target's initial
 * weights chosen from a larger source of the same family. Layers pair by {@link LayerCorrespondence}; every tensor
 * takes {@link UniformIndices} in every dimension. Messy exports, each with its rule:
 * <ul>
 * <li>Source BatchNorms folded into its convs (eval export: Conv with bias, no BN) against a target Conv + BN: the
 * target conv takes the selected folded kernel and the BN is set so that in eval mode it passes the conv's output
 * plus the folded bias: gamma 1, beta = selected folded bias, mean 0, var 1 - eps (a target conv bias, if any, 0).
 * <li>Source Conv + BN against a folded target (Conv with bias): the selected BN is folded into the selected conv,
 * in double: w·gamma/sqrt(var+eps), (b - mean)·gamma/sqrt(var+eps) + beta.
 * <li>A 1-channel target layer reading the graph input where the source reads 3 (or more): the selected kernel is
 * summed over the source's input channels, so a gray image replicated to the source's channels gives the response
 * the target gives to the gray image.
 * <li>The classifier (the last conv/linear layer) with another class count: not mapped, the target keeps its init.
 * </ul>
 */
public final class WeightSelection {
    private WeightSelection() {}

    /**
     * The selected target tensors by initializer name, the report, and the target they belong to (with shared
     * initializers split, see {@link TargetInitializers#untied}).
     */
    public record Selection(Map<String, HostTensor> tensors, SelectionReport report, OnnxModel target) {
        /** The target with the selected tensors written in. */
        public OnnxModel initializedTarget() {
            return TargetInitializers.apply(target, tensors);
        }

        /**
         * The control with the same value statistics and no learned structure: each tensor's elements permuted by
         * its own generator, seeded from {@code seed} and the tensor's position.
         */
        public Selection permuted(long seed) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            int k = 0;
            for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
                float[] v = e.getValue().values().clone();
                Random random = new Random(seed * 1_000_003L + k++);
                for (int i = v.length - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    float tmp = v[i];
                    v[i] = v[j];
                    v[j] = tmp;
                }
                out.put(e.getKey(), new HostTensor(e.getValue().shape(), v));
            }
            return new Selection(Collections.unmodifiableMap(out), report, target);
        }
    }

    /** Which initialization an `--init` choice asks for. */
    public enum Variant {
        /** the paper's selection from the source's weights */
        SELECTION,
        /** the same selection, each tensor's elements then permuted */
        PERMUTED,
        /** the same selection from a copy of the source re-initialized as PyTorch would */
        REINITIALIZED
    }

    public static Selection select(OnnxModel source, OnnxModel target) {
        return select(source, target, Variant.SELECTION, 0);
    }

    public static Selection select(OnnxModel source, OnnxModel target, Variant variant, long seed) {
        LayerGraph s = LayerGraph.of(source);
        TargetInitializers.Untied untied = TargetInitializers.untied(target);
        LayerGraph t = LayerGraph.of(untied.model());
        Map<String, HostTensor> weights = SourceWeights.read(source);
        if (variant == Variant.REINITIALIZED) {
            weights = SourceWeights.reinitialized(s, weights, seed);
        }
        Selection selection = select(t, s, weights, SourceWeights.read(untied.model()), untied.notes());
        return variant == Variant.PERMUTED ? selection.permuted(seed) : selection;
    }

    /** Selection from {@code sourceWeights}; {@code targetWeights} give the shapes to fill. */
    public static Selection select(
            LayerGraph target,
            LayerGraph source,
            Map<String, HostTensor> sourceWeights,
            Map<String, HostTensor> targetWeights,
            List<String> notes) {
        return new Selector(target, source, sourceWeights, targetWeights, notes).run();
    }

    /** One selection's working state. */
    private static final class Selector {
        private final LayerGraph target;
        private final LayerGraph source;
        private final Map<String, HostTensor> src;
        private final Map<String, HostTensor> tgt;
        private final Map<String, HostTensor> out = new LinkedHashMap<>();
        private final Map<String, String> notMapped = new LinkedHashMap<>();
        private final Set<String> indexRules = new LinkedHashSet<>();
        private final List<String> layerMap = new ArrayList<>();
        private final Set<String> rules = new LinkedHashSet<>();
        private WeightLayer at;
        private WeightLayer from;

        Selector(
                LayerGraph target,
                LayerGraph source,
                Map<String, HostTensor> src,
                Map<String, HostTensor> tgt,
                List<String> notes) {
            rules.addAll(notes);
            this.target = target;
            this.source = source;
            this.src = src;
            this.tgt = tgt;
        }

        Selection run() {
            LayerCorrespondence c = LayerCorrespondence.of(target, source);
            for (LayerCorrespondence.Match m : c.matches()) {
                at = m.target();
                from = m.source();
                layerMap.add("stage " + at.stage() + ": " + describe(at, tgt) + " <- " + describe(from, src));
                layer();
            }
            for (Map.Entry<String, HostTensor> e : tgt.entrySet()) {
                if (!out.containsKey(e.getKey()) && !notMapped.containsKey(e.getKey())) {
                    notMapped.put(e.getKey(), "not a tensor of a Conv, Gemm/MatMul or norm layer");
                }
            }
            SelectionReport report = new SelectionReport(
                    List.copyOf(layerMap),
                    List.copyOf(indexRules),
                    c.unusedSource(),
                    List.copyOf(rules),
                    Collections.unmodifiableMap(notMapped));
            return new Selection(Collections.unmodifiableMap(out), report, target.model());
        }

        private void layer() {
            if (at.classifier() && at.weight() != null) {
                long classes = tgt(at.weight()).shape()[at.outAxis()];
                long sourceClasses =
                        from.weight() == null ? -1 : src(from.weight()).shape()[from.outAxis()];
                if (!from.classifier() || classes != sourceClasses) {
                    String why = from.classifier()
                            ? "the classifier: " + classes + " classes against the source's " + sourceClasses
                            : "the classifier, paired with a source layer that is not the source's";
                    for (String n : names(at)) {
                        notMapped.put(n, why);
                    }
                    return;
                }
            }
            if (at.weight() != null) {
                weightAndBias();
            }
            WeightLayer.Norm tn = at.norm();
            WeightLayer.Norm sn = from.norm();
            if (tn != null && sn != null) {
                if (!tn.op().equals(sn.op())) {
                    for (String n : normNames(tn)) {
                        notMapped.put(n, "a " + tn.op() + " against the source's " + sn.op());
                    }
                    return;
                }
                put(tn.scale(), selected(sn.scale(), tn.scale()));
                put(tn.bias(), sn.bias() == null ? null : selected(sn.bias(), tn.bias()));
                put(tn.mean(), sn.mean() == null ? null : selected(sn.mean(), tn.mean()));
                put(tn.var(), sn.var() == null ? null : selected(sn.var(), tn.var()));
            } else if (tn != null) {
                foldedSourceNorm(tn);
            }
        }

        /** The weight (transposed first when the two store it in other orders) and bias, with the special rules. */
        private void weightAndBias() {
            HostTensor w = src(from.weight());
            if (at.kind() == WeightLayer.Kind.LINEAR && at.outAxis() != from.outAxis()) {
                w = w.transposed();
            }
            long[] shape = tgt(at.weight()).shape();
            int in = at.inAxis();
            if (at.readsGraphInput() && at.kind() != WeightLayer.Kind.NORM && shape[in] == 1 && w.shape()[in] > 1) {
                long[] keepIn = shape.clone();
                keepIn[in] = w.shape()[in];
                w = select(w, keepIn, at.weight()).sumKeepingDim(in);
                rules.add(at.name() + ": reads the graph input with 1 channel, the source with " + keepIn[in]
                        + ": the selected kernel is summed over the source's input channels (a gray image"
                        + " replicated to " + keepIn[in] + " channels gives the same response)");
            } else {
                w = select(w, shape, at.weight());
            }
            boolean foldTarget =
                    at.norm() == null && from.norm() != null && from.norm().batchNorm();
            HostTensor bias = from.bias() == null || at.bias() == null ? null : selected(from.bias(), at.bias());
            if (foldTarget) {
                foldIntoTarget(w, bias);
                return;
            }
            put(at.weight(), w);
            if (at.bias() != null) {
                if (at.norm() != null && from.norm() == null) {
                    put(at.bias(), HostTensor.filled(tgt(at.bias()).shape(), 0f)); // the BN's beta carries the shift
                } else if (bias != null) {
                    put(at.bias(), bias);
                } else {
                    notMapped.put(at.bias(), "the source layer " + from.name() + " has no bias");
                }
            }
        }

        /** A folded source (conv with bias, no norm) against a target conv + norm: see the class comment. */
        private void foldedSourceNorm(WeightLayer.Norm tn) {
            long[] c = tgt(tn.scale()).shape();
            put(tn.scale(), HostTensor.filled(c, 1f));
            put(
                    tn.bias(),
                    from.bias() == null
                            ? HostTensor.filled(tgt(tn.bias()).shape(), 0f)
                            : selected(from.bias(), tn.bias()));
            if (tn.mean() != null) {
                put(tn.mean(), HostTensor.filled(tgt(tn.mean()).shape(), 0f));
                put(tn.var(), HostTensor.filled(tgt(tn.var()).shape(), (float) (1.0 - tn.epsilon())));
            }
            rules.add(at.name() + ": the source's norm is folded into its " + from.op() + " (no " + tn.op() + "): "
                    + tn.op() + " set to gamma 1, beta = the selected folded bias"
                    + (tn.mean() != null
                            ? ", mean 0, var 1 - eps, so in eval mode the target computes the selected folded layer"
                            : ""));
        }

        /** A folded target (conv with bias, no norm) against a source conv + BN: the BN folded in, in double. */
        private void foldIntoTarget(HostTensor w, HostTensor bias) {
            WeightLayer.Norm sn = from.norm();
            long[] c = tgt(at.weight()).shape();
            int outs = (int) c[at.outAxis()];
            HostTensor gamma = selected(sn.scale(), outs);
            HostTensor beta = sn.bias() == null ? HostTensor.filled(new long[] {outs}, 0f) : selected(sn.bias(), outs);
            HostTensor mean = selected(sn.mean(), outs);
            HostTensor var = selected(sn.var(), outs);
            double[] scale = new double[outs];
            for (int o = 0; o < outs; o++) {
                scale[o] = gamma.values()[o] / Math.sqrt((double) var.values()[o] + (double) sn.epsilon());
            }
            float[] v = w.values().clone();
            long inner = 1;
            for (int d = at.outAxis() + 1; d < c.length; d++) {
                inner *= c[d];
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] * scale[(int) ((i / inner) % outs)]);
            }
            put(at.weight(), new HostTensor(w.shape(), v));
            if (at.bias() == null) {
                notMapped.put(at.weight() + " (shift)", "the source's BatchNorm shift has no bias to go to");
            } else {
                float[] b = new float[outs];
                for (int o = 0; o < outs; o++) {
                    double b0 = bias == null ? 0 : bias.values()[o];
                    b[o] = (float) ((b0 - mean.values()[o]) * scale[o] + beta.values()[o]);
                }
                put(at.bias(), new HostTensor(tgt(at.bias()).shape(), b));
            }
            rules.add(at.name() + ": the target has no norm after its " + at.op() + ", the source a BatchNorm: the"
                    + " selected BatchNorm is folded into the selected weight and bias (in double)");
        }

        private HostTensor selected(String sourceName, String targetName) {
            return select(src(sourceName), tgt(targetName).shape(), targetName);
        }

        private HostTensor selected(String sourceName, int channels) {
            return select(src(sourceName), new long[] {channels}, sourceName);
        }

        private HostTensor select(HostTensor w, long[] shape, String targetName) {
            if (w.rank() != shape.length) {
                throw new MergeNetException(noCorrespondence() + ": target tensor '" + targetName + "' has rank "
                        + shape.length + ", its source " + w.rank());
            }
            for (int d = 0; d < shape.length; d++) {
                int t = (int) w.shape()[d];
                int s = (int) shape[d];
                if (s > t) {
                    throw new MergeNetException(noCorrespondence() + ": target tensor '" + targetName + "' "
                            + java.util.Arrays.toString(shape) + " is larger than its source " + w.shapeText()
                            + " in dimension " + d + " (selection only shrinks)");
                }
                if (s != t) {
                    indexRules.add(UniformIndices.describe(t, s));
                    w = w.select(d, UniformIndices.of(t, s));
                }
            }
            return w;
        }

        private String noCorrespondence() {
            return "no layer correspondence between target " + target.model().origin() + " and source "
                    + source.model().origin() + " at target " + at + " <- source " + from;
        }

        private void put(String name, HostTensor value) {
            if (name != null && value != null) {
                HostTensor before = out.put(name, value);
                if (before != null && !Arrays.equals(before.values(), value.values())) {
                    out.put(name, before); // true weight tying: one tensor, the first reader's selection
                    rules.add(name + ": read directly by several layers (weight tying, kept by the importer): it"
                            + " keeps the selection of its first reader; " + at.name() + " reads that too");
                }
            } else if (name != null) {
                notMapped.put(name, "the source layer " + from.name() + " has no such tensor");
            }
        }

        private HostTensor src(String name) {
            HostTensor t = src.get(name);
            if (t == null) {
                throw new MergeNetException(source.model().origin() + ": tensor '" + name + "' of " + from
                        + " is not a float32 initializer; selection reads float32 weights only");
            }
            return t;
        }

        private HostTensor tgt(String name) {
            HostTensor t = tgt.get(name);
            if (t == null) {
                throw new MergeNetException(target.model().origin() + ": tensor '" + name + "' of " + at
                        + " is not a float32 initializer; selection writes float32 weights only");
            }
            return t;
        }

        private static List<String> names(WeightLayer l) {
            List<String> n = new ArrayList<>();
            if (l.weight() != null) {
                n.add(l.weight());
            }
            if (l.bias() != null) {
                n.add(l.bias());
            }
            if (l.norm() != null) {
                n.addAll(normNames(l.norm()));
            }
            return n;
        }

        private static List<String> normNames(WeightLayer.Norm n) {
            List<String> out = new ArrayList<>();
            for (String s : new String[] {n.scale(), n.bias(), n.mean(), n.var()}) {
                if (s != null) {
                    out.add(s);
                }
            }
            return out;
        }

        private static String describe(WeightLayer l, Map<String, HostTensor> weights) {
            String shape = l.weight() != null && weights.containsKey(l.weight())
                    ? weights.get(l.weight()).shapeText()
                    : l.norm() != null && weights.containsKey(l.norm().scale())
                            ? weights.get(l.norm().scale()).shapeText()
                            : "?";
            String extras = (l.bias() != null ? " +bias" : "")
                    + (l.norm() != null && l.weight() != null ? " +" + (l.norm().batchNorm() ? "BN" : "LN") : "");
            return l + " " + shape + extras;
        }
    }
}
