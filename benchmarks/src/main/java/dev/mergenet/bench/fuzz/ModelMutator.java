package dev.mergenet.bench.fuzz;

import com.google.protobuf.ByteString;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

/**
 * Structured mutations of an ONNX model: extreme attribute values, initializer values and dims, rewired or
 * removed nodes (cycles, undefined inputs), changed op types and opsets, hostile external-data locations,
 * declared shapes, and a few byte-level flips and truncations. One seed gives one mutant, reproducibly.
 */
public final class ModelMutator {
    /** The values that broke importers before: sign and width edges, huge products, zero. */
    static final long[] EXTREME_INTS = {
        0,
        -1,
        1,
        2,
        3,
        -2,
        1L << 31,
        -(1L << 31),
        (1L << 31) - 1,
        1L << 32,
        1L << 62,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        1 << 20,
        100_000
    };

    static final float[] EXTREME_FLOATS = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e9f, -1e9f, 1e-30f, 3.4e38f, -1f
    };
    static final String[] OP_TYPES = {
        "Range",
        "Resize",
        "RoiAlign",
        "AveragePool",
        "ConstantOfShape",
        "Expand",
        "Tile",
        "Loop",
        "Scan",
        "TfIdfVectorizer",
        "Reshape",
        "Pad",
        "OneHot",
        "Conv",
        "MaxPool",
        "Gather",
        "Slice",
        "Concat",
        "Split",
        "Transpose",
        "Unsqueeze",
        "Squeeze",
        "Einsum",
        "TopK",
        "Col2Im",
        "DFT",
        "If",
        "Cast",
        "MatMul",
        "Gemm",
        "NonZero",
        "Unique",
        "ScatterND",
        "GatherND",
        "NotAnOp"
    };
    static final String[] LOCATIONS = {
        "a\0b", "../outside.bin", "/etc/passwd", "", "missing.bin", ".", "x/../../y", "data.bin"
    };

    private ModelMutator() {}

    /** The mutated model's bytes and a one-line description of the mutation. */
    public record Mutant(byte[] bytes, String description) {}

    /** One to three structured mutations; one mutant in thirteen then gets bit flips or a truncation too. */
    public static Mutant mutate(ModelProto seed, long mutationSeed) {
        Random rnd = new Random(mutationSeed);
        ModelProto.Builder m = seed.toBuilder();
        int rounds = 1 + rnd.nextInt(3);
        StringBuilder what = new StringBuilder();
        for (int r = 0; r < rounds; r++) {
            what.append(r == 0 ? "" : "; ").append(structured(m, rnd));
        }
        if (rnd.nextInt(13) == 0) {
            Mutant raw = bytes(m.build().toByteArray(), rnd);
            return new Mutant(raw.bytes(), what + "; " + raw.description());
        }
        return new Mutant(m.build().toByteArray(), what.toString());
    }

    private static String structured(ModelProto.Builder m, Random rnd) {
        int kind = rnd.nextInt(12);
        GraphProto.Builder g = m.getGraphBuilder();
        int nodes = g.getNodeCount();
        String what;
        switch (kind) {
            case 0, 1 -> what = intAttribute(g, rnd);
            case 2 -> what = floatAttribute(g, rnd);
            case 3, 4 -> what = initializerValue(g, rnd);
            case 5 -> what = initializerDims(g, rnd);
            case 6 -> what = rewire(g, rnd);
            case 7 -> {
                if (nodes == 0) {
                    what = "no node to change";
                } else {
                    int i = rnd.nextInt(nodes);
                    String op = OP_TYPES[rnd.nextInt(OP_TYPES.length)];
                    g.getNodeBuilder(i).setOpType(op);
                    what = "node " + i + " op_type -> " + op;
                }
            }
            case 8 -> what = declaredShape(g, rnd);
            case 9 -> {
                long v = rnd.nextBoolean() ? EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)] : 1 + rnd.nextInt(24);
                if (m.getOpsetImportCount() > 0) {
                    m.setOpsetImport(
                            0,
                            OperatorSetIdProto.newBuilder(m.getOpsetImport(0)).setVersion(v));
                }
                what = "opset -> " + v;
            }
            case 10 -> what = externalData(g, rnd);
            default -> {
                if (nodes == 0) {
                    what = "no node to drop";
                } else {
                    int i = rnd.nextInt(nodes);
                    if (rnd.nextBoolean()) {
                        g.removeNode(i);
                        what = "node " + i + " removed";
                    } else {
                        g.addNode(g.getNode(i));
                        what = "node " + i + " duplicated";
                    }
                }
            }
        }
        return what;
    }

    private static String intAttribute(GraphProto.Builder g, Random rnd) {
        NodeProto.Builder n = anyNode(g, rnd);
        if (n == null) {
            return "no node";
        }
        long v = EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)];
        List<AttributeProto> attrs = n.getAttributeList();
        for (int i = 0; i < attrs.size(); i++) {
            AttributeProto a = attrs.get(i);
            if (a.getType() == AttributeProto.AttributeType.INT) {
                n.setAttribute(i, a.toBuilder().setI(v));
                return n.getOpType() + "." + a.getName() + " = " + v;
            }
            if (a.getType() == AttributeProto.AttributeType.INTS && a.getIntsCount() > 0) {
                int k = rnd.nextInt(a.getIntsCount());
                n.setAttribute(i, a.toBuilder().setInts(k, v));
                return n.getOpType() + "." + a.getName() + "[" + k + "] = " + v;
            }
        }
        String name =
                new String[] {"axis", "kernel_shape", "output_height", "group", "to", "depth", "k"}[rnd.nextInt(7)];
        n.addAttribute(AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v));
        return n.getOpType() + " + " + name + " = " + v;
    }

    private static String floatAttribute(GraphProto.Builder g, Random rnd) {
        NodeProto.Builder n = anyNode(g, rnd);
        if (n == null) {
            return "no node";
        }
        float v = EXTREME_FLOATS[rnd.nextInt(EXTREME_FLOATS.length)];
        List<AttributeProto> attrs = n.getAttributeList();
        for (int i = 0; i < attrs.size(); i++) {
            AttributeProto a = attrs.get(i);
            if (a.getType() == AttributeProto.AttributeType.FLOAT) {
                n.setAttribute(i, a.toBuilder().setF(v));
                return n.getOpType() + "." + a.getName() + " = " + v;
            }
            if (a.getType() == AttributeProto.AttributeType.FLOATS && a.getFloatsCount() > 0) {
                int k = rnd.nextInt(a.getFloatsCount());
                n.setAttribute(i, a.toBuilder().setFloats(k, v));
                return n.getOpType() + "." + a.getName() + "[" + k + "] = " + v;
            }
        }
        n.addAttribute(AttributeProto.newBuilder()
                .setName("alpha")
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(v));
        return n.getOpType() + " + alpha = " + v;
    }

    /** Overwrites one element of an initializer (or Constant value) with an extreme of its type. */
    private static String initializerValue(GraphProto.Builder g, Random rnd) {
        TensorProto.Builder t = anyTensor(g, rnd);
        if (t == null) {
            return "no initializer";
        }
        int type = t.getDataType();
        int size = type == 7 || type == 11 ? 8 : type == 1 || type == 6 ? 4 : 0;
        if (size == 0 || !t.hasRawData() || t.getRawData().size() < size) {
            if (type == 7 && t.getInt64DataCount() > 0) {
                long v = EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)];
                t.setInt64Data(rnd.nextInt(t.getInt64DataCount()), v);
                return t.getName() + " int64_data <- " + v;
            }
            if (type == 1 && t.getFloatDataCount() > 0) {
                float v = EXTREME_FLOATS[rnd.nextInt(EXTREME_FLOATS.length)];
                t.setFloatData(rnd.nextInt(t.getFloatDataCount()), v);
                return t.getName() + " float_data <- " + v;
            }
            return t.getName() + " left as is";
        }
        byte[] raw = t.getRawData().toByteArray();
        int at = rnd.nextInt(raw.length / size) * size;
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        String v;
        switch (type) {
            case 7 -> {
                long x = EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)];
                b.putLong(at, x);
                v = "" + x;
            }
            case 6 -> {
                long x = EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)];
                b.putInt(at, (int) x);
                v = "" + (int) x;
            }
            case 11 -> {
                float x = EXTREME_FLOATS[rnd.nextInt(EXTREME_FLOATS.length)];
                b.putDouble(at, x);
                v = "" + x;
            }
            default -> {
                float x = EXTREME_FLOATS[rnd.nextInt(EXTREME_FLOATS.length)];
                b.putFloat(at, x);
                v = "" + x;
            }
        }
        t.setRawData(ByteString.copyFrom(raw));
        return t.getName() + "[" + at / size + "] <- " + v;
    }

    private static String initializerDims(GraphProto.Builder g, Random rnd) {
        TensorProto.Builder t = anyTensor(g, rnd);
        if (t == null) {
            return "no initializer";
        }
        long v = EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)];
        if (t.getDimsCount() == 0 || rnd.nextInt(4) == 0) {
            t.addDims(v);
            return t.getName() + " dims + " + v;
        }
        int k = rnd.nextInt(t.getDimsCount());
        t.setDims(k, v);
        return t.getName() + " dims[" + k + "] = " + v;
    }

    /** Points a node input at another name: an undefined one, its own output (a cycle) or a later node's. */
    private static String rewire(GraphProto.Builder g, Random rnd) {
        NodeProto.Builder n = anyNode(g, rnd);
        if (n == null || n.getInputCount() == 0) {
            return "no input to rewire";
        }
        int k = rnd.nextInt(n.getInputCount());
        String to = switch (rnd.nextInt(4)) {
            case 0 -> "undefined_value";
            case 1 -> n.getOutputCount() > 0 ? n.getOutput(0) : "";
            case 2 ->
                g.getNode(g.getNodeCount() - 1).getOutputCount() > 0
                        ? g.getNode(g.getNodeCount() - 1).getOutput(0)
                        : "x";
            default -> "";
        };
        n.setInput(k, to);
        return n.getOpType() + " input " + k + " -> '" + to + "'";
    }

    private static String declaredShape(GraphProto.Builder g, Random rnd) {
        if (g.getInputCount() == 0) {
            return "no input";
        }
        int i = rnd.nextInt(g.getInputCount());
        ValueInfoProto.Builder v = g.getInputBuilder(i);
        if (!v.getType().hasTensorType()) {
            return "input not a tensor";
        }
        TensorShapeProto.Builder s = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        long d = EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)];
        if (s.getDimCount() == 0) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        } else {
            s.setDim(
                    rnd.nextInt(s.getDimCount()),
                    TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return "input " + v.getName() + " declared dim " + d;
    }

    private static String externalData(GraphProto.Builder g, Random rnd) {
        TensorProto.Builder t = anyTensor(g, rnd);
        if (t == null) {
            return "no initializer";
        }
        String location = LOCATIONS[rnd.nextInt(LOCATIONS.length)];
        t.clearRawData()
                .clearFloatData()
                .clearInt64Data()
                .clearInt32Data()
                .clearDoubleData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .clearExternalData()
                .addExternalData(
                        StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder()
                        .setKey("offset")
                        .setValue(Long.toString(EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)])));
        return t.getName() + " external at '" + location.replace("\0", "\\0") + "'";
    }

    private static Mutant bytes(byte[] b, Random rnd) {
        if (b.length == 0) {
            return new Mutant(b, "empty");
        }
        if (rnd.nextInt(3) == 0) {
            int keep = rnd.nextInt(b.length);
            return new Mutant(java.util.Arrays.copyOf(b, keep), "truncated to " + keep + " bytes");
        }
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return new Mutant(b, flips + " bit flips");
    }

    private static NodeProto.Builder anyNode(GraphProto.Builder g, Random rnd) {
        return g.getNodeCount() == 0 ? null : g.getNodeBuilder(rnd.nextInt(g.getNodeCount()));
    }

    /** An initializer, or the value of a Constant node. */
    private static TensorProto.Builder anyTensor(GraphProto.Builder g, Random rnd) {
        int inits = g.getInitializerCount();
        int constants = 0;
        for (NodeProto n : g.getNodeList()) {
            constants += n.getOpType().equals("Constant") ? 1 : 0;
        }
        if (inits + constants == 0) {
            return null;
        }
        int pick = rnd.nextInt(inits + constants);
        if (pick < inits) {
            return g.getInitializerBuilder(pick);
        }
        pick -= inits;
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("Constant") && pick-- == 0) {
                NodeProto.Builder n = g.getNodeBuilder(i);
                for (int a = 0; a < n.getAttributeCount(); a++) {
                    if (n.getAttribute(a).hasT()) {
                        return n.getAttributeBuilder(a).getTBuilder();
                    }
                }
            }
        }
        return null;
    }
}
