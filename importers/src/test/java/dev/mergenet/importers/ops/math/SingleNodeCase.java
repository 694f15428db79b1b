package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A model of one node with its inputs, checked either by gradients (float64 inputs made by uniform/signed/
 * values are checked against finite differences, other inputs are fed as they are) or against ONNX Runtime.
 * Used by the math, activation and reduce tests.
 */
public final class SingleNodeCase {
    private final String label;
    private final String op;
    private final int opset;
    private final List<AttributeProto> attrs = new ArrayList<>();
    private final List<Integer> types = new ArrayList<>();
    private final List<Function<NDManager, NDArray>> makers = new ArrayList<>();
    private final List<Integer> checked = new ArrayList<>();
    private final List<Integer> outputTypes = new ArrayList<>(List.of(TensorProto.DataType.DOUBLE_VALUE));
    private final Random random = new Random(11);

    private SingleNodeCase(String label, String op, int opset) {
        this.label = label;
        this.op = op;
        this.opset = opset;
    }

    public static SingleNodeCase of(String op, int opset) {
        return new SingleNodeCase(op + "-" + opset, op, opset);
    }

    public static SingleNodeCase of(String label, String op, int opset) {
        return new SingleNodeCase(label, op, opset);
    }

    public SingleNodeCase attr(AttributeProto a) {
        attrs.add(a);
        return this;
    }

    /** A checked float64 input uniform in [lo, hi]. */
    public SingleNodeCase uniform(double lo, double hi, long... shape) {
        double[] v = new double[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * random.nextDouble();
        }
        return values(v, shape);
    }

    /** A checked float64 input of magnitudes in [0.2, 1] with random signs (kinks at 0 stay far away). */
    public SingleNodeCase signed(long... shape) {
        double[] v = new double[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (0.2 + 0.8 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
        }
        return values(v, shape);
    }

    public SingleNodeCase values(double[] v, long... shape) {
        checked.add(makers.size());
        types.add(TensorProto.DataType.DOUBLE_VALUE);
        makers.add(m -> m.create(v, new Shape(shape)));
        return this;
    }

    /** An int64 input that is fed but not checked (indices, axes, targets). */
    public SingleNodeCase longs(long[] v, long... shape) {
        types.add(TensorProto.DataType.INT64_VALUE);
        makers.add(m -> m.create(v, new Shape(shape)));
        return this;
    }

    /** A float64 input that is fed but not checked. */
    public SingleNodeCase fixed(double[] v, long... shape) {
        types.add(TensorProto.DataType.DOUBLE_VALUE);
        makers.add(m -> m.create(v, new Shape(shape)));
        return this;
    }

    /** An input of any ONNX type, fed but not checked, made by {@code maker}. */
    public SingleNodeCase input(int onnxType, Function<NDManager, NDArray> maker) {
        types.add(onnxType);
        makers.add(maker);
        return this;
    }

    /** A float32 input (not checked for gradients). */
    public SingleNodeCase floats(float[] v, long... shape) {
        return input(TensorProto.DataType.FLOAT_VALUE, m -> m.create(v, new Shape(shape)));
    }

    public SingleNodeCase ints(int[] v, long... shape) {
        return input(TensorProto.DataType.INT32_VALUE, m -> m.create(v, new Shape(shape)));
    }

    /** A float32 input uniform in [lo, hi] (not checked for gradients). */
    public SingleNodeCase uniformFloats(double lo, double hi, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return floats(v, shape);
    }

    public SingleNodeCase outputCount(int n) {
        return outputs(Collections.nCopies(n, TensorProto.DataType.DOUBLE_VALUE).stream()
                .mapToInt(Integer::intValue)
                .toArray());
    }

    /** The ONNX types of the node's outputs (float64 unless told). */
    public SingleNodeCase outputs(int... onnxTypes) {
        outputTypes.clear();
        Arrays.stream(onnxTypes).forEach(outputTypes::add);
        return this;
    }

    public void assertMatchesOrt(double atol, double rtol) {
        OrtCheck.assertMatchesOrt(model(), this::make, atol, rtol);
    }

    public void check(double tol) {
        GradientCheck.assertGradients(
                model(),
                this::make,
                checked.stream().mapToInt(Integer::intValue).toArray(),
                tol);
    }

    private NDList make(NDManager m) {
        NDList list = new NDList();
        makers.forEach(f -> list.add(f.apply(m)));
        return list;
    }

    private ModelProto model() {
        String[] in = new String[makers.size()];
        ValueInfoProto[] inputs = new ValueInfoProto[makers.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = "in" + i;
            inputs[i] = Models.value(in[i], types.get(i));
        }
        String[] out = new String[outputTypes.size()];
        ValueInfoProto[] outs = new ValueInfoProto[out.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = "out" + i;
            outs[i] = Models.value(out[i], outputTypes.get(i));
        }
        NodeProto node = Models.node(op, in, out, attrs.toArray(new AttributeProto[0]));
        return Models.singleNode(node, opset, inputs, outs);
    }

    @Override
    public String toString() {
        return label;
    }
}
