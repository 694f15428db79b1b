package dev.mergenet.importers.edit;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.analysis.ChannelStatistics;
import dev.mergenet.importers.analysis.FoldedNormalization;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts a BatchNormalization back after each Conv whose normalization an export folded away
 * ({@link FoldedNormalization}), before import. Each starts as the identity on the training data: with the Conv
 * output's per-channel mean m and variance v over training batches, scale = sqrt(v + eps), bias = m,
 * running mean = m and running variance = v, so inference returns the Conv output exactly and a training step
 * normalizes by batch statistics close to m and v. The Conv keeps its weights; its output gets a new name and the
 * BatchNormalization writes the old one, so every reader and graph output stays as it was.
 */
public final class RestoreNormalization {
    /** PyTorch's BatchNorm2d defaults: epsilon 1e-5, momentum 0.1 (ONNX counts it the other way: 0.9). */
    public static final float EPSILON = 1e-5f;

    public static final float MOMENTUM = 0.9f;

    /** Part of every name this edit makes: "{conv}.restored_norm", ".restored_norm.weight", ... */
    public static final String MARK = ".restored_norm";

    private RestoreNormalization() {}

    /** The edited model and the BatchNormalization node inserted for each Conv output, in graph order. */
    public record Restored(OnnxModel model, List<String> nodes) {
        public Restored {
            nodes = List.copyOf(nodes);
        }
    }

    /** The Conv outputs to normalize again: those of the folded-normalization finding; an error when none. */
    public static List<String> targets(OnnxModel model) {
        return FoldedNormalization.find(model)
                .map(FoldedNormalization.Finding::convOutputs)
                .orElseThrow(() -> new MergeNetException(model.origin() + ": --restore-norm: no Conv whose "
                        + "normalization an export folded away (a network from " + FoldedNormalization.FOLDING_PRODUCERS
                        + " without normalization, whose biased Convs feed activations)"));
    }

    /**
     * How a restored BatchNormalization starts: IDENTITY (scale sqrt(v + eps), bias m: the Conv output unchanged, for
     * a trained network) or STANDARD (scale 1, bias 0, as a fresh BatchNorm: for an untrained network, whose folded
     * scales carry nothing worth keeping and would keep it from training).
     */
    public enum Start {
        IDENTITY,
        STANDARD
    }

    /** Inserts one BatchNormalization per entry of {@code statistics} (Conv output value to its statistics). */
    public static Restored apply(OnnxModel model, Map<String, ChannelStatistics> statistics) {
        return apply(model, statistics, Start.IDENTITY);
    }

    /** The same, starting as {@code start} says; the running statistics are the measured ones either way. */
    public static Restored apply(OnnxModel model, Map<String, ChannelStatistics> statistics, Start start) {
        if (model.opset("") < 9) {
            throw new MergeNetException(
                    model.origin() + ": --restore-norm needs opset 9 or later (the model has " + model.opset("") + ")");
        }
        GraphProto g = model.proto().getGraph();
        GraphIndex idx = new GraphIndex(g);
        GraphProto.Builder gb = g.toBuilder().clearNode();
        List<String> inserted = new ArrayList<>();
        int done = 0;
        for (NodeProto n : g.getNodeList()) {
            ChannelStatistics s =
                    n.getOpType().equals("Conv") && n.getOutputCount() == 1 ? statistics.get(n.getOutput(0)) : null;
            if (s == null) {
                gb.addNode(n);
                continue;
            }
            String value = n.getOutput(0);
            TensorProto bias = FoldedNormalization.constant(idx, n.getInput(2));
            long channels = bias == null ? -1 : bias.getDims(0);
            if (channels != s.channels()) {
                throw new MergeNetException(model.origin() + ": Conv '" + n.getName() + "' has " + channels
                        + " output channels but its statistics have " + s.channels());
            }
            String base = (n.getName().isEmpty() ? value : n.getName()) + MARK;
            String raw = idx.fresh(value + ".unnormalized");
            float[] scale = new float[s.channels()];
            float[] shift = new float[s.channels()];
            float[] mean = new float[s.channels()];
            float[] var = new float[s.channels()];
            for (int c = 0; c < scale.length; c++) {
                mean[c] = (float) s.mean()[c];
                var[c] = (float) Math.max(0, s.variance()[c]);
                scale[c] = start == Start.STANDARD ? 1f : (float) Math.sqrt(var[c] + (double) EPSILON);
                shift[c] = start == Start.STANDARD ? 0f : mean[c];
            }
            String[] inputs = {
                raw,
                idx.fresh(base + ".weight"),
                idx.fresh(base + ".bias"),
                idx.fresh(base + ".running_mean"),
                idx.fresh(base + ".running_var")
            };
            float[][] tensors = {scale, shift, mean, var};
            for (int i = 0; i < 4; i++) {
                gb.addInitializer(FloatTensors.of(inputs[i + 1], new long[] {tensors[i].length}, tensors[i]));
            }
            String name = idx.fresh(base);
            gb.addNode(n.toBuilder().setOutput(0, raw).build());
            gb.addNode(NodeProto.newBuilder()
                    .setOpType("BatchNormalization")
                    .setName(name)
                    .addAllInput(List.of(inputs))
                    .addOutput(value)
                    .addAttribute(AttributeProto.newBuilder()
                            .setName("epsilon")
                            .setType(AttributeProto.AttributeType.FLOAT)
                            .setF(EPSILON))
                    .addAttribute(AttributeProto.newBuilder()
                            .setName("momentum")
                            .setType(AttributeProto.AttributeType.FLOAT)
                            .setF(MOMENTUM)));
            inserted.add(name);
            done++;
        }
        if (done != statistics.size()) {
            List<String> missing = new ArrayList<>(statistics.keySet());
            g.getNodeList().forEach(n -> n.getOutputList().forEach(missing::remove));
            throw new MergeNetException(model.origin() + ": --restore-norm: no Conv writes " + missing);
        }
        OnnxModel edited =
                model.withProto(model.proto().toBuilder().setGraph(gb).build());
        return new Restored(edited, inserted);
    }

    /**
     * The same edit with placeholder values (mean 0, variance 1): the graph and tensor names a training run
     * with --restore-norm used, for an export that writes the trained values over them.
     */
    public static Restored structure(OnnxModel model) {
        GraphIndex idx = new GraphIndex(model.proto().getGraph());
        Map<String, ChannelStatistics> placeholder = new LinkedHashMap<>();
        for (String conv : targets(model)) {
            NodeProto n = idx.producerNode(conv);
            int channels =
                    (int) FoldedNormalization.constant(idx, n.getInput(2)).getDims(0);
            double[] ones = new double[channels];
            Arrays.fill(ones, 1);
            placeholder.put(conv, new ChannelStatistics(new double[channels], ones, 1));
        }
        return apply(model, placeholder);
    }
}
