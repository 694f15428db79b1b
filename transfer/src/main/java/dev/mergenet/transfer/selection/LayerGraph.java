package dev.mergenet.transfer.selection;

import dev.mergenet.core.graph.GraphIndex;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weight-bearing layers of an ONNX graph in graph order, read from the graph's structure (op types, weight
 * shapes, attributes, the wiring), never from names. A layer's stage is the number of spatial down-samplings
 * (a Conv or pool with a stride above 1, a global pool) on the longest path from the graph input to its output,
 * so the stride-2 conv of a residual stage and its shortcut projection open the same stage.
 */
public final class LayerGraph {
    private final OnnxModel model;
    private final List<WeightLayer> layers;

    private LayerGraph(OnnxModel model, List<WeightLayer> layers) {
        this.model = model;
        this.layers = layers;
    }

    public OnnxModel model() {
        return model;
    }

    public List<WeightLayer> layers() {
        return layers;
    }

    /** The layers of stage {@code s}, in graph order. */
    public List<WeightLayer> stage(int s) {
        return layers.stream().filter(l -> l.stage() == s).toList();
    }

    /** The distinct stages, in order. */
    public List<Integer> stages() {
        return layers.stream().map(WeightLayer::stage).distinct().sorted().toList();
    }

    public static LayerGraph of(OnnxModel model) {
        GraphProto g = model.proto().getGraph();
        GraphIndex index = new GraphIndex(g);
        Map<String, long[]> shapes = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            shapes.put(
                    t.getName(),
                    t.getDimsList().stream().mapToLong(Long::longValue).toArray());
        }
        Set<String> graphInputs = new HashSet<>();
        g.getInputList().forEach(v -> {
            if (!shapes.containsKey(v.getName())) {
                graphInputs.add(v.getName());
            }
        });
        Map<String, Integer> level = new HashMap<>();
        List<WeightLayer> layers = new ArrayList<>();
        Map<String, Integer> layerOfOutput = new HashMap<>();
        Set<String> biasAdds = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            int in = 0;
            for (String i : n.getInputList()) {
                in = Math.max(in, level.getOrDefault(i, 0));
            }
            int out = in + (downsamples(n) ? 1 : 0);
            n.getOutputList().forEach(o -> level.put(o, out));
            String op = n.getOpType();
            String output = n.getOutputCount() > 0 ? n.getOutput(0) : "";
            boolean readsInput = n.getInputCount() > 0 && graphInputs.contains(n.getInput(0));
            if ((op.equals("Conv") || op.equals("Gemm") || op.equals("MatMul"))
                    && n.getInputCount() >= 2
                    && shapes.containsKey(n.getInput(1))) {
                long[] w = shapes.get(n.getInput(1));
                if (op.equals("Conv") ? w.length < 3 : w.length != 2) {
                    continue;
                }
                String bias = n.getInputCount() > 2 && shapes.containsKey(n.getInput(2)) ? n.getInput(2) : null;
                if (op.equals("MatMul")) {
                    bias = matMulBias(index, output, shapes, biasAdds);
                }
                boolean conv = op.equals("Conv");
                int outAxis = conv || (op.equals("Gemm") && intAttr(n, "transB", 0) == 1) ? 0 : 1;
                long group = intAttr(n, "group", 1);
                String groups =
                        !conv || group == 1 ? "dense" : group == w[0] && w[1] == 1 ? "depthwise" : "groups=" + group;
                long[] strides = conv ? ints(n, "strides", w.length - 2) : new long[0];
                layerOfOutput.put(output, layers.size());
                layers.add(new WeightLayer(
                        conv ? WeightLayer.Kind.CONV : WeightLayer.Kind.LINEAR,
                        op,
                        name(n),
                        n.getInput(1),
                        bias,
                        null,
                        out,
                        w,
                        outAxis,
                        1 - outAxis,
                        strides,
                        groups,
                        readsInput,
                        false));
            } else if ((op.equals("BatchNormalization") && n.getInputCount() >= 5
                            || op.equals("LayerNormalization") && n.getInputCount() >= 2)
                    && shapes.containsKey(n.getInput(1))) {
                boolean bn = op.equals("BatchNormalization");
                String bias = n.getInputCount() > 2 && shapes.containsKey(n.getInput(2)) ? n.getInput(2) : null;
                WeightLayer.Norm norm = new WeightLayer.Norm(
                        op,
                        name(n),
                        n.getInput(1),
                        bias,
                        bn ? n.getInput(3) : null,
                        bn ? n.getInput(4) : null,
                        floatAttr(n, "epsilon", 1e-5f));
                // a norm directly after a layer (its only reader, possibly through the bias Add) belongs to it
                String from = n.getInput(0);
                Integer owner = layerOfOutput.get(from);
                if (owner != null
                        && index.consumerCount(from) == 1
                        && layers.get(owner).norm() == null) {
                    WeightLayer l = layers.get(owner);
                    layers.set(
                            owner,
                            new WeightLayer(
                                    l.kind(),
                                    l.op(),
                                    l.node(),
                                    l.weight(),
                                    l.bias(),
                                    norm,
                                    l.stage(),
                                    l.weightShape(),
                                    l.outAxis(),
                                    l.inAxis(),
                                    l.strides(),
                                    l.groups(),
                                    l.readsGraphInput(),
                                    false));
                } else {
                    layers.add(new WeightLayer(
                            WeightLayer.Kind.NORM,
                            op,
                            name(n),
                            null,
                            null,
                            norm,
                            out,
                            shapes.get(n.getInput(1)),
                            0,
                            0,
                            new long[0],
                            "dense",
                            readsInput,
                            false));
                }
            } else if (biasAdds.contains(output)) {
                String from = layerOfOutput.containsKey(n.getInput(0)) ? n.getInput(0) : n.getInput(1);
                layerOfOutput.put(output, layerOfOutput.get(from));
            }
        }
        // the last conv/linear layer is the classifier: its output units are the classes
        for (int i = layers.size() - 1; i >= 0; i--) {
            WeightLayer l = layers.get(i);
            if (l.kind() != WeightLayer.Kind.NORM) {
                layers.set(
                        i,
                        new WeightLayer(
                                l.kind(),
                                l.op(),
                                l.node(),
                                l.weight(),
                                l.bias(),
                                l.norm(),
                                l.stage(),
                                l.weightShape(),
                                l.outAxis(),
                                l.inAxis(),
                                l.strides(),
                                l.groups(),
                                l.readsGraphInput(),
                                true));
                break;
            }
        }
        return new LayerGraph(model, List.copyOf(layers));
    }

    /** The 1-D initializer added to a MatMul's output (its bias), if its only reader is such an Add. */
    private static String matMulBias(GraphIndex index, String output, Map<String, long[]> shapes, Set<String> adds) {
        if (index.consumerCount(output) != 1) {
            return null;
        }
        NodeProto c = index.firstConsumer(output);
        if (c.getOpType().equals("Add") && c.getInputCount() == 2) {
            String other = c.getInput(0).equals(output) ? c.getInput(1) : c.getInput(0);
            if (shapes.containsKey(other) && shapes.get(other).length == 1) {
                adds.add(c.getOutput(0));
                return other;
            }
        }
        return null;
    }

    private static boolean downsamples(NodeProto n) {
        switch (n.getOpType()) {
            case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool":
                return true;
            case "Conv", "MaxPool", "AveragePool", "LpPool":
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("strides")
                            && a.getIntsList().stream().anyMatch(v -> v > 1)) {
                        return true;
                    }
                }
                return false;
            case "ReduceMean", "ReduceMax":
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("axes") && a.getIntsList().stream().anyMatch(v -> v >= 2)) {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    private static String name(NodeProto n) {
        return n.getName().isEmpty()
                ? n.getOpType() + "(" + (n.getOutputCount() > 0 ? n.getOutput(0) : "") + ")"
                : n.getName();
    }

    private static long intAttr(NodeProto n, String name, long fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    private static float floatAttr(NodeProto n, String name, float fallback) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return fallback;
    }

    private static long[] ints(NodeProto n, String name, int rank) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name) && a.getIntsCount() > 0) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        long[] ones = new long[rank];
        Arrays.fill(ones, 1);
        return ones;
    }
}
