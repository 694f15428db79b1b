package dev.mergenet.importers.edit;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.analysis.FoldedNormalization;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Folds each inference-mode BatchNormalization that alone reads a Conv's output into that Conv (`--fold-norm`), as
 * PyTorch's eval-mode export does: with a = scale / sqrt(var + eps) per output channel, the Conv's weight becomes
 * W * a and its bias (b - mean) * a + B. The BatchNormalization's output name moves to the Conv, so readers and
 * graph outputs stay as they were; tensors nothing reads any more are dropped.
 */
public final class FoldNormalization {
    private FoldNormalization() {}

    /** The edited model and the BatchNormalization nodes folded, in graph order. */
    public record Folded(OnnxModel model, List<String> nodes) {
        public Folded {
            nodes = List.copyOf(nodes);
        }
    }

    /** Folds every foldable Conv + BatchNormalization pair. */
    public static Folded apply(OnnxModel model) {
        return apply(model, n -> true);
    }

    /** Folds the pairs whose BatchNormalization the filter accepts (e.g. the ones --restore-norm inserted). */
    public static Folded apply(OnnxModel model, Predicate<NodeProto> which) {
        GraphProto g = model.proto().getGraph();
        GraphIndex idx = new GraphIndex(g);
        Set<Integer> removed = new HashSet<>();
        List<NodeProto> nodes = new ArrayList<>(g.getNodeList());
        List<TensorProto> added = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        List<String> folded = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto bn = g.getNode(i);
            if (!bn.getOpType().equals("BatchNormalization") || !inferenceForm(bn) || !which.test(bn)) {
                continue;
            }
            int c = idx.producer(bn.getInput(0));
            NodeProto conv = c < 0 ? null : g.getNode(c);
            if (conv == null
                    || !conv.getOpType().equals("Conv")
                    || conv.getOutputCount() != 1
                    || idx.consumerCount(conv.getOutput(0)) != 1
                    || isGraphOutput(g, conv.getOutput(0))) {
                continue;
            }
            TensorProto w = FoldedNormalization.constant(idx, conv.getInput(1));
            boolean hasBias = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty();
            TensorProto b = hasBias ? FoldedNormalization.constant(idx, conv.getInput(2)) : null;
            float[][] p = new float[4][];
            boolean ok = isFloat(w) && (!hasBias || isFloat(b));
            for (int k = 0; k < 4 && ok; k++) {
                TensorProto t = FoldedNormalization.constant(idx, bn.getInput(k + 1));
                ok = isFloat(t) && t.getDimsCount() == 1;
                p[k] = ok ? floats(t, model) : null;
            }
            if (!ok || w.getDimsCount() < 3 || p[0].length != w.getDims(0)) {
                continue;
            }
            float eps = 1e-5f;
            for (AttributeProto a : bn.getAttributeList()) {
                if (a.getName().equals("epsilon")) {
                    eps = a.getF();
                }
            }
            int out = p[0].length;
            float[] weight = floats(w, model);
            float[] bias = hasBias ? floats(b, model) : new float[out];
            int per = weight.length / out;
            float[] newBias = new float[out];
            for (int o = 0; o < out; o++) {
                double a = p[0][o] / Math.sqrt((double) p[3][o] + eps);
                for (int j = 0; j < per; j++) {
                    weight[o * per + j] = (float) (weight[o * per + j] * a);
                }
                newBias[o] = (float) ((bias[o] - p[2][o]) * a + p[1][o]);
            }
            String base = conv.getName().isEmpty() ? conv.getOutput(0) : conv.getName();
            String wName = idx.fresh(base + ".folded.weight");
            String bName = idx.fresh(base + ".folded.bias");
            long[] wDims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
            added.add(FloatTensors.of(wName, wDims, weight));
            added.add(FloatTensors.of(bName, new long[] {out}, newBias));
            NodeProto.Builder nc = conv.toBuilder().setInput(1, wName).setOutput(0, bn.getOutput(0));
            if (hasBias) {
                nc.setInput(2, bName);
                dropped.add(conv.getInput(2));
            } else {
                while (nc.getInputCount() < 3) {
                    nc.addInput("");
                }
                nc.setInput(2, bName);
            }
            nodes.set(c, nc.build());
            removed.add(i);
            dropped.add(conv.getInput(1));
            for (int k = 1; k <= 4; k++) {
                dropped.add(bn.getInput(k));
            }
            folded.add(bn.getName());
        }
        GraphProto.Builder gb = g.toBuilder().clearNode();
        for (int i = 0; i < nodes.size(); i++) {
            if (!removed.contains(i)) {
                gb.addNode(nodes.get(i));
            }
        }
        gb.addAllInitializer(added);
        dropUnread(gb, dropped);
        return new Folded(model.withProto(model.proto().toBuilder().setGraph(gb).build()), folded);
    }

    /** Version 14+ training_mode=0 (or absent) with one output: the form ONNX Runtime runs with running statistics. */
    private static boolean inferenceForm(NodeProto bn) {
        boolean training =
                bn.getAttributeList().stream().anyMatch(a -> a.getName().equals("training_mode") && a.getI() != 0);
        long outputs = bn.getOutputList().stream().filter(s -> !s.isEmpty()).count();
        return !training && outputs == 1 && bn.getInputCount() == 5;
    }

    private static boolean isGraphOutput(GraphProto g, String value) {
        return g.getOutputList().stream().anyMatch(o -> o.getName().equals(value));
    }

    private static boolean isFloat(TensorProto t) {
        return t != null && t.getDataType() == TensorProto.DataType.FLOAT_VALUE;
    }

    private static float[] floats(TensorProto t, OnnxModel model) {
        FloatBuffer fb = TensorDecoder.decode(t, model.origin(), model.baseDir())
                .bytes()
                .duplicate()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
    }

    /** Removes initializers, Identity aliases and Constant nodes among {@code values} that nothing reads now. */
    private static void dropUnread(GraphProto.Builder gb, List<String> values) {
        boolean changed = true;
        Set<String> candidates = new HashSet<>(values);
        while (changed) {
            changed = false;
            Set<String> read = new HashSet<>();
            gb.getNodeList().forEach(n -> read.addAll(n.getInputList()));
            gb.getOutputList().forEach(o -> read.add(o.getName()));
            for (int i = gb.getNodeCount() - 1; i >= 0; i--) {
                NodeProto n = gb.getNode(i);
                if ((n.getOpType().equals("Identity") || n.getOpType().equals("Constant"))
                        && n.getOutputCount() == 1
                        && candidates.contains(n.getOutput(0))
                        && !read.contains(n.getOutput(0))) {
                    candidates.addAll(n.getInputList());
                    gb.removeNode(i);
                    changed = true;
                }
            }
            for (int i = gb.getInitializerCount() - 1; i >= 0; i--) {
                String name = gb.getInitializer(i).getName();
                if (candidates.contains(name) && !read.contains(name)) {
                    gb.removeInitializer(i);
                    for (int k = gb.getInputCount() - 1; k >= 0; k--) {
                        if (gb.getInput(k).getName().equals(name)) {
                            gb.removeInput(k);
                        }
                    }
                    changed = true;
                }
            }
        }
        if (gb.getNodeCount() == 0) {
            throw new MergeNetException("folding left an empty graph");
        }
    }
}
