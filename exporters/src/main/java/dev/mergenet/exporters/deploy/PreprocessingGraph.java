package dev.mergenet.exporters.deploy;

import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.edit.FloatTensors;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Puts the input adaptation into the graph as ONNX ops in front of the model (Resize linear/half_pixel, Tile for
 * channel replication, Sub and Div for mean/std), so the model takes raw samples in the data's own channels and
 * size. The graph input keeps its name; what the model read before now reads the preprocessed value.
 */
public final class PreprocessingGraph {
    /** Resize with a computed {@code sizes} input exists from opset 11 on. */
    static final long MIN_OPSET = 11;

    private static final String PREFIX = "mergenet_preprocess";

    private PreprocessingGraph() {}

    /** The model with {@code p} in front of its single float input; the input then declares the raw shape. */
    public static ModelProto embed(ModelProto model, InputPreprocessing p, String origin) {
        GraphProto g = model.getGraph();
        ValueInfoProto input = InputShape.dataInput(g, origin);
        if (input.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new MergeNetException(
                    origin + ": input '" + input.getName() + "' is not float32; cannot embed the" + " preprocessing");
        }
        long opset = opset(model);
        if (p.resizes() && opset < MIN_OPSET) {
            throw new MergeNetException(origin + ": opset " + opset + " has no Resize with sizes (needs " + MIN_OPSET
                    + "); cannot embed the resize");
        }
        Names names = new Names(g);
        String x = input.getName();
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> constants = new ArrayList<>();
        String current = x;
        int rank = p.rawShape().length + 1;
        if (p.resizes()) {
            String shape = names.fresh("shape");
            nodes.add(node("Shape", names.fresh("Shape"), List.of(current), shape));
            String starts = names.fresh("starts");
            String ends = names.fresh("ends");
            constants.add(longs(starts, 0));
            constants.add(longs(ends, 2));
            String batchAndChannels = names.fresh("batch_channels");
            nodes.add(node("Slice", names.fresh("Slice"), List.of(shape, starts, ends), batchAndChannels));
            String hw = names.fresh("hw");
            constants.add(longs(hw, p.resize()[0], p.resize()[1]));
            String sizes = names.fresh("sizes");
            nodes.add(node("Concat", names.fresh("Concat"), List.of(batchAndChannels, hw), sizes, intAttr("axis", 0)));
            String roi = names.fresh("roi");
            constants.add(FloatTensors.of(roi, new long[] {0}));
            String resized = names.fresh("resized");
            nodes.add(node(
                    "Resize",
                    names.fresh("Resize"),
                    List.of(current, roi, "", sizes),
                    resized,
                    stringAttr("mode", "linear"),
                    stringAttr("coordinate_transformation_mode", "half_pixel")));
            current = resized;
        }
        if (p.replicatesChannels()) {
            String repeats = names.fresh("repeats");
            constants.add(longs(repeats, 1, p.channels(), 1, 1));
            String tiled = names.fresh("channels");
            nodes.add(node("Tile", names.fresh("Tile"), List.of(current, repeats), tiled));
            current = tiled;
        }
        if (p.normalizes()) {
            long channels = p.trainedShape().length == 3 ? p.trainedShape()[0] : 1;
            long[] dims = new long[rank];
            Arrays.fill(dims, 1);
            if (rank == 4) {
                dims[1] = channels;
            }
            int count = rank == 4 ? (int) channels : 1;
            String mean = names.fresh("mean");
            constants.add(FloatTensors.of(mean, dims, perChannel(p.mean(), count, 0f)));
            String std = names.fresh("std");
            constants.add(FloatTensors.of(std, dims, perChannel(p.std(), count, 1f)));
            String centred = names.fresh("centred");
            nodes.add(node("Sub", names.fresh("Sub"), List.of(current, mean), centred));
            String scaled = names.fresh("normalized");
            nodes.add(node("Div", names.fresh("Div"), List.of(centred, std), scaled));
            current = scaled;
        }
        if (current.equals(x)) {
            return model;
        }
        GraphProto.Builder gb = g.toBuilder().clearNode();
        gb.addAllNode(nodes);
        for (NodeProto n : g.getNodeList()) {
            gb.addNode(renameInput(n, x, current));
        }
        gb.addAllInitializer(constants);
        return model.toBuilder().setGraph(gb).build();
    }

    private static NodeProto renameInput(NodeProto n, String from, String to) {
        NodeProto.Builder b = n.toBuilder();
        for (int i = 0; i < b.getInputCount(); i++) {
            if (b.getInput(i).equals(from)) {
                b.setInput(i, to);
            }
        }
        // subgraphs (If, Loop, Scan) may read the input from the outer scope
        for (int a = 0; a < b.getAttributeCount(); a++) {
            AttributeProto attr = b.getAttribute(a);
            if (attr.hasG()) {
                b.setAttribute(a, attr.toBuilder().setG(renameInGraph(attr.getG(), from, to)));
            }
        }
        return b.build();
    }

    private static GraphProto renameInGraph(GraphProto g, String from, String to) {
        GraphProto.Builder gb = g.toBuilder().clearNode();
        for (NodeProto n : g.getNodeList()) {
            gb.addNode(renameInput(n, from, to));
        }
        return gb.build();
    }

    static long opset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return o.getVersion();
            }
        }
        return 1;
    }

    private static float[] perChannel(float[] v, int count, float absent) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = v == null ? absent : v[v.length == 1 ? 0 : i];
        }
        return out;
    }

    private static NodeProto node(String op, String name, List<String> in, String out, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder()
                .setOpType(op)
                .setName(name)
                .addAllInput(in)
                .addOutput(out);
        for (AttributeProto a : attrs) {
            b.addAttribute(a);
        }
        return b.build();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    private static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v))
                .build();
    }

    private static TensorProto longs(String name, long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        b.flip();
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(v.length)
                .setRawData(ByteString.copyFrom(b))
                .build();
    }

    /** Fresh value and node names that collide with nothing in the graph. */
    private static final class Names {
        private final Set<String> used = new HashSet<>();

        Names(GraphProto g) {
            for (NodeProto n : g.getNodeList()) {
                used.add(n.getName());
                used.addAll(n.getInputList());
                used.addAll(n.getOutputList());
            }
            g.getInitializerList().forEach(t -> used.add(t.getName()));
            g.getInputList().forEach(v -> used.add(v.getName()));
            g.getOutputList().forEach(v -> used.add(v.getName()));
        }

        String fresh(String hint) {
            String name = PREFIX + "." + hint;
            for (int i = 1; used.contains(name); i++) {
                name = PREFIX + "." + hint + "_" + i;
            }
            used.add(name);
            return name;
        }
    }
}
