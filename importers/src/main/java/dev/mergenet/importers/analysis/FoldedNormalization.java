package dev.mergenet.importers.analysis;

import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds normalization that an export folded away: a network from a producer known to fold each BatchNormalization
 * into the Conv before it (PyTorch's eval-mode export, tf2onnx), with no normalization left, whose Convs carry
 * biases and feed activations directly. Such a file trains as an unnormalized network, usually at chance.
 *
 * <p>PyTorch names a folded Conv's weight and bias as new constants ({@code onnx::Conv_N}) where a Conv of the
 * module keeps its parameter names ({@code features.1.block.2.fc1.weight}, as in a squeeze-excitation layer), so
 * only the anonymous ones count there. For other producers, any biased Conv counts except one reading a global
 * pooling (squeeze-excitation, conv classifiers), whose input has no spatial extent to normalize over.
 */
public final class FoldedNormalization {
    /** Producer names (ModelProto.producer_name) of exporters that fold BatchNormalization into Conv. */
    public static final Set<String> FOLDING_PRODUCERS = Set.of("pytorch", "tf2onnx");

    static final Set<String> NORMALIZATIONS = Set.of(
            "BatchNormalization",
            "InstanceNormalization",
            "LayerNormalization",
            "GroupNormalization",
            "MeanVarianceNormalization",
            "RMSNormalization",
            "SkipLayerNormalization",
            "LpNormalization");

    static final Set<String> ACTIVATIONS = Set.of(
            "Relu",
            "Clip",
            "HardSwish",
            "HardSigmoid",
            "LeakyRelu",
            "PRelu",
            "Elu",
            "Selu",
            "Celu",
            "Sigmoid",
            "Tanh",
            "Softplus",
            "Mish",
            "Gelu",
            "ThresholdedRelu");

    private static final Set<String> GLOBAL_POOLS =
            Set.of("GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "ReduceMax");

    private FoldedNormalization() {}

    /**
     * What was found: the producer, the output value of every Conv whose BatchNormalization was folded (the ones
     * {@code --restore-norm} normalizes again), and how many of them feed an activation directly.
     */
    public record Finding(String model, String producer, List<String> convOutputs, int feedingActivations) {
        public Finding {
            convOutputs = List.copyOf(convOutputs);
        }

        /** The one warning every command prints, with the remedy. */
        public String warning() {
            return String.format(
                    Locale.ROOT,
                    "%s: normalization was folded away by the export: %d Convs carry "
                            + "biases and %d of them feed activations directly, with no normalization in the network "
                            + "(%s folds each BatchNorm into the Conv before it in an eval-mode export). Trained as it is, "
                            + "such a network usually stays at chance. Pass --restore-norm to put a BatchNormalization back "
                            + "after each of these Convs (the identity on the training data at step 0; --fold-norm folds "
                            + "them into the Convs again at export), or re-export with the BatchNorms kept.",
                    model,
                    convOutputs.size(),
                    feedingActivations,
                    producer);
        }
    }

    /** The finding, or empty when the model does not look folded. */
    public static Optional<Finding> find(OnnxModel model) {
        String producer = model.proto().getProducerName();
        if (!FOLDING_PRODUCERS.contains(producer)) {
            return Optional.empty();
        }
        GraphProto g = model.proto().getGraph();
        if (g.getNodeList().stream().anyMatch(n -> NORMALIZATIONS.contains(n.getOpType()))) {
            return Optional.empty();
        }
        GraphIndex idx = new GraphIndex(g);
        List<String> convs = foldedConvOutputs(idx, producer.equals("pytorch"));
        int feeding = 0;
        for (String out : convs) {
            feeding += feedsActivation(idx, out) ? 1 : 0;
        }
        return feeding == 0 ? Optional.empty() : Optional.of(new Finding(model.origin(), producer, convs, feeding));
    }

    /** The Convs (by output value) that carry a constant float bias and look folded, in graph order. */
    static List<String> foldedConvOutputs(GraphIndex idx, boolean anonymousOnly) {
        List<String> out = new ArrayList<>();
        GraphProto g = idx.graph();
        for (NodeProto n : g.getNodeList()) {
            if (!n.getOpType().equals("Conv")
                    || n.getInputCount() < 3
                    || n.getInput(2).isEmpty()
                    || !OnnxModel.normalizeDomain(n.getDomain()).isEmpty()) {
                continue;
            }
            TensorProto w = constant(idx, n.getInput(1));
            TensorProto b = constant(idx, n.getInput(2));
            if (w == null
                    || b == null
                    || w.getDataType() != TensorProto.DataType.FLOAT_VALUE
                    || b.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                continue;
            }
            if (anonymousOnly
                    && !(n.getInput(1).startsWith("onnx::") && n.getInput(2).startsWith("onnx::"))) {
                continue;
            }
            NodeProto source = idx.producerNode(n.getInput(0));
            if (source != null && GLOBAL_POOLS.contains(source.getOpType())) {
                continue;
            }
            out.add(n.getOutput(0));
        }
        return out;
    }

    /**
     * The tensor behind a value, through Identity nodes: PyTorch merges equal initializers by value (the zero
     * biases of a fresh folded network) and hands them to each Conv through an Identity.
     */
    public static TensorProto constant(GraphIndex idx, String value) {
        String v = value;
        for (int hops = 0; hops < 64; hops++) {
            TensorProto t = idx.constant(v);
            if (t != null) {
                return t;
            }
            NodeProto p = idx.producerNode(v);
            if (p == null || !p.getOpType().equals("Identity") || p.getInputCount() != 1) {
                return null;
            }
            v = p.getInput(0);
        }
        return null;
    }

    /** An activation reads the value directly (SiLU: a Sigmoid and a Mul both read it). */
    private static boolean feedsActivation(GraphIndex idx, String value) {
        for (int c : idx.consumers(value)) {
            if (ACTIVATIONS.contains(idx.node(c).getOpType())) {
                return true;
            }
        }
        return false;
    }
}
