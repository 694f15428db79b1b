package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.Arrays;
import java.util.Random;

/**
 * Single-node models for the op tests of this package and its siblings: every input is a graph input of one
 * element type, and inputs are seeded random arrays.
 */
public final class NodeCases {
    public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    public static final int DOUBLE = TensorProto.DataType.DOUBLE_VALUE;
    public static final int INT64 = TensorProto.DataType.INT64_VALUE;

    private NodeCases() {}

    /** A model of one node whose inputs i0, i1, ... have the given shapes and whose outputs are o0, o1, .... */
    public static ModelProto model(
            String op, int opset, int elemType, long[][] inputShapes, int outputs, AttributeProto... attrs) {
        int[] types = new int[outputs];
        Arrays.fill(types, elemType);
        return model(op, opset, elemType, inputShapes, types, attrs);
    }

    /** As {@link #model(String, int, int, long[][], int, AttributeProto...)}, with each output's element type. */
    public static ModelProto model(
            String op, int opset, int elemType, long[][] inputShapes, int[] outputTypes, AttributeProto... attrs) {
        int outputs = outputTypes.length;
        String[] in = new String[inputShapes.length];
        ValueInfoProto[] inValues = new ValueInfoProto[in.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = "i" + i;
            inValues[i] = Models.value(in[i], elemType, inputShapes[i]);
        }
        String[] out = new String[outputs];
        ValueInfoProto[] outValues = new ValueInfoProto[outputs];
        for (int i = 0; i < outputs; i++) {
            out[i] = "o" + i;
            outValues[i] = Models.value(out[i], outputTypes[i]);
        }
        NodeProto node = Models.node(op, in, out, attrs);
        return Models.singleNode(node, opset, inValues, outValues);
    }

    /** Inputs of the given shapes, uniform in [-1, 1) from a fixed seed, of the given DJL type. */
    public static GradientCheck.InputMaker random(long seed, DataType type, long[]... shapes) {
        return m -> {
            Random rnd = new Random(seed);
            NDList list = new NDList();
            for (long[] s : shapes) {
                list.add(uniform(m, rnd, type, s, -1, 1));
            }
            return list;
        };
    }

    public static NDArray uniform(NDManager m, Random rnd, DataType type, long[] shape, double lo, double hi) {
        double[] v = new double[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * rnd.nextDouble();
        }
        return m.create(v, new Shape(shape)).toType(type, false);
    }

    public static long[] dims(long... d) {
        return d;
    }
}
