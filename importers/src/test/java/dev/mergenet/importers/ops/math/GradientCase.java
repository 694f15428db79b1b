package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * One single-node gradient check: the op, its attributes and inputs (float64 ones are checked against
 * finite differences, integer ones are fed as they are). Used by the math, activation and reduce tests.
 */
public final class GradientCase {
    private final String label;
    private final String op;
    private final int opset;
    private final List<AttributeProto> attrs = new ArrayList<>();
    private final List<Integer> types = new ArrayList<>();
    private final List<Function<NDManager, NDArray>> makers = new ArrayList<>();
    private final List<Integer> checked = new ArrayList<>();
    private int outputs = 1;
    private final Random random = new Random(11);

    private GradientCase(String label, String op, int opset) {
        this.label = label;
        this.op = op;
        this.opset = opset;
    }

    public static GradientCase of(String op, int opset) {
        return new GradientCase(op + "-" + opset, op, opset);
    }

    public static GradientCase of(String label, String op, int opset) {
        return new GradientCase(label, op, opset);
    }

    public GradientCase attr(AttributeProto a) {
        attrs.add(a);
        return this;
    }

    /** A checked float64 input uniform in [lo, hi]. */
    public GradientCase uniform(double lo, double hi, long... shape) {
        double[] v = new double[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * random.nextDouble();
        }
        return values(v, shape);
    }

    /** A checked float64 input of magnitudes in [0.2, 1] with random signs (kinks at 0 stay far away). */
    public GradientCase signed(long... shape) {
        double[] v = new double[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (0.2 + 0.8 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
        }
        return values(v, shape);
    }

    public GradientCase values(double[] v, long... shape) {
        checked.add(makers.size());
        types.add(TensorProto.DataType.DOUBLE_VALUE);
        makers.add(m -> m.create(v, new Shape(shape)));
        return this;
    }

    /** An int64 input that is fed but not checked (indices, axes, targets). */
    public GradientCase longs(long[] v, long... shape) {
        types.add(TensorProto.DataType.INT64_VALUE);
        makers.add(m -> m.create(v, new Shape(shape)));
        return this;
    }

    /** A float64 input that is fed but not checked. */
    public GradientCase fixed(double[] v, long... shape) {
        types.add(TensorProto.DataType.DOUBLE_VALUE);
        makers.add(m -> m.create(v, new Shape(shape)));
        return this;
    }

    public GradientCase outputs(int n) {
        outputs = n;
        return this;
    }

    public void check(double tol) {
        String[] in = new String[makers.size()];
        ValueInfoProto[] inputs = new ValueInfoProto[makers.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = "in" + i;
            inputs[i] = Models.value(in[i], types.get(i));
        }
        String[] out = new String[outputs];
        ValueInfoProto[] outs = new ValueInfoProto[outputs];
        for (int i = 0; i < outputs; i++) {
            out[i] = "out" + i;
            outs[i] = Models.value(out[i], TensorProto.DataType.DOUBLE_VALUE);
        }
        NodeProto node = Models.node(op, in, out, attrs.toArray(new AttributeProto[0]));
        GradientCheck.assertGradients(Models.singleNode(node, opset, inputs, outs), m -> {
            NDList list = new NDList();
            makers.forEach(f -> list.add(f.apply(m)));
            return list;
        }, checked.stream().mapToInt(Integer::intValue).toArray(), tol);
    }

    @Override
    public String toString() {
        return label;
    }

    static long[] dims(long... d) {
        return Arrays.copyOf(d, d.length);
    }
}
