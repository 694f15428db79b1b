package dev.mergenet.exporters.precision;

import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.Float16;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts a float32 model to compute and store in float16: float32 initializers and Constant tensors become
 * float16, Casts to float become Casts to float16, and Cast nodes at the graph's edges convert float32 inputs
 * in and float16 results back out, so callers see the same input and output types as before. Tensors fed
 * only to setting slots that must stay float32 (Resize scales, Upsample scales) are left alone.
 */
public final class Float16Conversion {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int HALF = TensorProto.DataType.FLOAT16_VALUE;
    /** Input slots whose float tensors are settings with a fixed float32 type. */
    private static final Map<String, Set<Integer>> FLOAT32_SLOTS =
            Map.of("Resize", Set.of(1, 2), "Upsample", Set.of(1));

    private Float16Conversion() {}

    /**
     * Ops kept in float32 by default (their float inputs cast up, outputs cast back): the reductions and
     * normalizing steps whose float16 rounding costs the most accuracy (mean and variance of decomposed
     * LayerNorms, Softmax over many classes). Value: the input slots that carry float data.
     */
    public static final Map<String, Set<Integer>> DEFAULT_FLOAT32_OPS = Map.of(
            "ReduceMean",
            Set.of(0),
            "Pow",
            Set.of(0, 1),
            "Sqrt",
            Set.of(0),
            "Softmax",
            Set.of(0),
            "LayerNormalization",
            Set.of(0, 1, 2));

    public static ModelProto convert(ModelProto model, Path baseDir) {
        return convert(model, baseDir, DEFAULT_FLOAT32_OPS);
    }

    /** Converts with {@code float32Ops} (op type to its float data input slots) left computing in float32. */
    public static ModelProto convert(ModelProto model, Path baseDir, Map<String, Set<Integer>> float32Ops) {
        GraphProto g = model.getGraph();
        if (g.getNodeList().stream()
                .anyMatch(n -> n.getAttributeList().stream().anyMatch(a -> a.hasG() || a.getGraphsCount() > 0))) {
            throw new MergeNetException("fp16 export of graphs with subgraphs (If, Loop, Scan) is not supported");
        }
        Set<String> keep32 = new HashSet<>();
        Map<String, Boolean> onlySettings = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            Set<Integer> slots = FLOAT32_SLOTS.getOrDefault(n.getOpType(), Set.of());
            for (int i = 0; i < n.getInputCount(); i++) {
                boolean setting = slots.contains(i);
                onlySettings.merge(n.getInput(i), setting, Boolean::logicalAnd);
            }
        }
        onlySettings.forEach((k, v) -> {
            if (v) {
                keep32.add(k);
            }
        });
        Set<String> initializerNames = new HashSet<>();
        GraphProto.Builder gb = GraphProto.newBuilder(g)
                .clearNode()
                .clearInitializer()
                .clearValueInfo()
                .clearInput()
                .clearOutput();
        for (TensorProto t : g.getInitializerList()) {
            initializerNames.add(t.getName());
            gb.addInitializer(t.getDataType() == FLOAT && !keep32.contains(t.getName()) ? toHalf(t, baseDir) : t);
        }
        Set<String> used = new HashSet<>();
        g.getNodeList().forEach(n -> {
            used.add(n.getName());
            used.addAll(n.getOutputList());
            used.addAll(n.getInputList());
        });
        Map<String, String> renamedInputs = new HashMap<>();
        for (ValueInfoProto in : g.getInputList()) {
            gb.addInput(in);
            if (!initializerNames.contains(in.getName()) && elemType(in) == FLOAT) {
                String half = unique(in.getName() + "_fp16", used);
                renamedInputs.put(in.getName(), half);
                gb.addNode(cast(unique("mergenet_cast_in_" + in.getName(), used), in.getName(), half, HALF));
            }
        }
        Map<String, String> renamedOutputs = new HashMap<>();
        for (ValueInfoProto out : g.getOutputList()) {
            if (elemType(out) == FLOAT) {
                renamedOutputs.put(out.getName(), unique(out.getName() + "_fp16", used));
            }
        }
        for (NodeProto n : g.getNodeList()) {
            NodeProto.Builder nb = n.toBuilder();
            for (int i = 0; i < n.getInputCount(); i++) {
                String in = n.getInput(i);
                nb.setInput(i, renamedOutputs.getOrDefault(in, renamedInputs.getOrDefault(in, in)));
            }
            for (int i = 0; i < n.getOutputCount(); i++) {
                nb.setOutput(i, renamedOutputs.getOrDefault(n.getOutput(i), n.getOutput(i)));
            }
            Set<Integer> full = float32Ops.get(n.getOpType());
            if (full != null) {
                // computed in float32: float16 data in, float16 results out, through Casts
                for (int i : full) {
                    if (i < nb.getInputCount() && !nb.getInput(i).isEmpty()) {
                        String up = unique(nb.getInput(i) + "_fp32", used);
                        gb.addNode(cast(
                                unique("mergenet_cast_up_" + n.getName() + "_" + i, used), nb.getInput(i), up, FLOAT));
                        nb.setInput(i, up);
                    }
                }
                List<NodeProto> downs = new ArrayList<>();
                for (int i = 0; i < nb.getOutputCount(); i++) {
                    if (nb.getOutput(i).isEmpty()) {
                        continue;
                    }
                    String wide = unique(nb.getOutput(i) + "_fp32", used);
                    downs.add(cast(
                            unique("mergenet_cast_down_" + n.getName() + "_" + i, used), wide, nb.getOutput(i), HALF));
                    nb.setOutput(i, wide);
                }
                gb.addNode(nb);
                downs.forEach(gb::addNode);
                continue;
            }
            for (int k = 0; k < n.getAttributeCount(); k++) {
                AttributeProto a = n.getAttribute(k);
                if (a.hasT()
                        && a.getT().getDataType() == FLOAT
                        && !(n.getOutputCount() == 1 && keep32.contains(n.getOutput(0)))) {
                    nb.setAttribute(k, a.toBuilder().setT(toHalf(a.getT(), baseDir)));
                } else if (n.getOpType().equals("Cast") && a.getName().equals("to") && a.getI() == FLOAT) {
                    nb.setAttribute(k, a.toBuilder().setI(HALF));
                }
            }
            gb.addNode(nb);
        }
        for (ValueInfoProto out : g.getOutputList()) {
            String half = renamedOutputs.get(out.getName());
            if (half != null) {
                gb.addNode(cast(unique("mergenet_cast_out_" + out.getName(), used), half, out.getName(), FLOAT));
            }
            gb.addOutput(out);
        }
        return model.toBuilder().setGraph(gb).build();
    }

    private static int elemType(ValueInfoProto v) {
        TypeProto t = v.getType();
        return t.hasTensorType() ? t.getTensorType().getElemType() : -1;
    }

    private static String unique(String base, Set<String> used) {
        String name = base;
        for (int k = 1; used.contains(name); k++) {
            name = base + "_" + k;
        }
        used.add(name);
        return name;
    }

    private static NodeProto cast(String name, String in, String out, int to) {
        return NodeProto.newBuilder()
                .setOpType("Cast")
                .setName(name)
                .addInput(in)
                .addOutput(out)
                .addAttribute(AttributeProto.newBuilder()
                        .setName("to")
                        .setType(AttributeProto.AttributeType.INT)
                        .setI(to))
                .build();
    }

    /** A float32 tensor rounded to float16 (nearest even), stored as raw_data. */
    static TensorProto toHalf(TensorProto t, Path baseDir) {
        ByteBuffer src =
                TensorDecoder.decode(t, "model", baseDir).bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        src.rewind();
        ByteBuffer dst = ByteBuffer.allocate(src.remaining() / 2).order(ByteOrder.LITTLE_ENDIAN);
        while (src.hasRemaining()) {
            dst.putShort(Float16.fromFloat(src.getFloat()));
        }
        dst.flip();
        return t.toBuilder()
                .clearFloatData()
                .clearRawData()
                .clearExternalData()
                .clearDataLocation()
                .setDataType(HALF)
                .setRawData(ByteString.copyFrom(dst))
                .build();
    }
}
