package dev.mergenet.importers.limits;

import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.ResourceLimitException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Sizes a model fixes with its own constants (Range, ConstantOfShape, Expand on initializers or Constant nodes),
 * checked against the memory budget without running anything. ONNX Runtime folds such constants while it
 * creates a session, so a 164-byte Range(0, 2^31-1) must be refused before the session exists.
 */
public final class ConstantSizeCheck {
    private static final int SMALL = 64;

    private ConstantSizeCheck() {}

    /** Throws {@link ResourceLimitException} naming the node when a constant-sized output is over budget. */
    public static void check(GraphProto graph, String origin) {
        Map<String, TensorProto> constants = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            constants.put(t.getName(), t);
        }
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("value") && a.hasT()) {
                        constants.put(n.getOutput(0), a.getT());
                    }
                }
            }
        }
        for (NodeProto n : graph.getNodeList()) {
            String what = origin + ": node '" + n.getName() + "' (" + n.getOpType() + ")";
            switch (n.getOpType()) {
                case "Range" -> range(n, constants, what, origin);
                case "ConstantOfShape", "Expand" -> {
                    int shapeInput = n.getOpType().equals("Expand") ? 1 : 0;
                    long[] shape = longs(n, shapeInput, constants, origin);
                    if (shape != null) {
                        MemoryBudget.check(
                                what + ": output for shape input '" + n.getInput(shapeInput) + "'", shape, 1);
                    }
                }
                default -> {}
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    check(a.getG(), origin);
                }
                for (GraphProto g : a.getGraphsList()) {
                    check(g, origin);
                }
            }
        }
    }

    private static void range(NodeProto n, Map<String, TensorProto> constants, String what, String origin) {
        double[] start = doubles(n, 0, constants, origin);
        double[] limit = doubles(n, 1, constants, origin);
        double[] delta = doubles(n, 2, constants, origin);
        if (start == null
                || limit == null
                || delta == null
                || start.length != 1
                || limit.length != 1
                || delta.length != 1
                || delta[0] == 0) {
            return;
        }
        TensorProto type = constants.get(n.getInput(0));
        boolean integral = !isFloating(type.getDataType());
        String call = "Range(" + start[0] + ", " + limit[0] + ", " + delta[0] + ")";
        double count = Math.ceil((limit[0] - start[0]) / delta[0]);
        if (integral) {
            long[] s = longs(n, 0, constants, origin);
            long[] l = longs(n, 1, constants, origin);
            long[] d = longs(n, 2, constants, origin);
            if (s == null || l == null || d == null) {
                return;
            }
            // approximate in double: the budget is far below where rounding could matter
            BigInteger span = BigInteger.valueOf(l[0]).subtract(BigInteger.valueOf(s[0]));
            count = Math.ceil(span.doubleValue() / d[0]);
        } else if (!Double.isFinite(count)) {
            throw new ResourceLimitException(what + ": " + call + " has no finite length");
        }
        MemoryBudget.checkElements(
                what + ": output of " + call,
                (long) Math.max(0, Math.min(count, Long.MAX_VALUE)),
                Math.max(1, typeBytes(type.getDataType())));
    }

    private static double[] doubles(NodeProto n, int input, Map<String, TensorProto> constants, String origin) {
        TensorData t = decoded(n, input, constants, origin);
        if (t == null) {
            return null;
        }
        ByteBuffer b = t.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) t.shape().size();
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = switch (t.dataType()) {
                case FLOAT64 -> b.getDouble();
                case FLOAT32 -> b.getFloat();
                case INT64 -> b.getLong();
                case INT32 -> b.getInt();
                default -> Double.NaN;
            };
        }
        return out;
    }

    private static long[] longs(NodeProto n, int input, Map<String, TensorProto> constants, String origin) {
        TensorData t = decoded(n, input, constants, origin);
        if (t == null || (t.dataType() != DataType.INT64 && t.dataType() != DataType.INT32)) {
            return null;
        }
        ByteBuffer b = t.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[(int) t.shape().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.dataType() == DataType.INT64 ? b.getLong() : b.getInt();
        }
        return out;
    }

    /** A small inline constant input, decoded; null when it is not one (or cannot be read: the importer says why). */
    private static TensorData decoded(NodeProto n, int input, Map<String, TensorProto> constants, String origin) {
        if (input >= n.getInputCount()) {
            return null;
        }
        TensorProto t = constants.get(n.getInput(input));
        if (t == null || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return null;
        }
        try {
            if (TensorDecoder.elementCount(t, origin) > SMALL) {
                return null;
            }
            return TensorDecoder.decode(t, origin, null);
        } catch (MergeNetException | ArithmeticException | IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isFloating(int onnxType) {
        return onnxType == TensorProto.DataType.FLOAT_VALUE
                || onnxType == TensorProto.DataType.DOUBLE_VALUE
                || onnxType == TensorProto.DataType.FLOAT16_VALUE
                || onnxType == TensorProto.DataType.BFLOAT16_VALUE;
    }

    private static int typeBytes(int onnxType) {
        return OnnxDataTypes.elementSize(onnxType);
    }
}
