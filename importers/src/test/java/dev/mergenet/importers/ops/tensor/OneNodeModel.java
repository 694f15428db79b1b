package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A one-node test model: graph inputs carry float data (float64 for gradient checks, float32 for ONNX Runtime
 * comparisons), int64 settings are initializers, and an empty input name stands for an omitted optional input.
 */
final class OneNodeModel {
    private final String op;
    private final AttributeProto[] attrs;
    private final List<String> nodeInputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final List<String> dataNames = new ArrayList<>();
    private final List<Function<NDManager, NDArray>> data = new ArrayList<>();
    private final List<long[]> dataDims = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private boolean float32;

    private OneNodeModel(String op, AttributeProto... attrs) {
        this.op = op;
        this.attrs = attrs;
    }

    static OneNodeModel of(String op, AttributeProto... attrs) {
        return new OneNodeModel(op, attrs);
    }

    /** Data as float32 instead of float64 (for comparisons with ONNX Runtime). */
    OneNodeModel float32() {
        float32 = true;
        return this;
    }

    /** A float data input with distinct, deterministic values. */
    OneNodeModel data(String name, long... dims) {
        int n = (int) new Shape(dims).size();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.round(Math.sin(1.7 * i + 0.3 + name.length()) * 1000) / 500.0 + 0.01 * i;
        }
        return data(name, v, dims);
    }

    OneNodeModel data(String name, double[] values, long... dims) {
        nodeInputs.add(name);
        dataNames.add(name);
        dataDims.add(dims);
        data.add(m -> float32
                ? m.create(values, new Shape(dims)).toType(DataType.FLOAT32, false)
                : m.create(values, new Shape(dims)));
        return this;
    }

    /** An int64 initializer (shape, axes, indices...). */
    OneNodeModel longs(String name, long[] values, long... dims) {
        nodeInputs.add(name);
        initializers.add(Models.longs(name, dims, values));
        return this;
    }

    /** A float32 initializer that is a setting (scales, roi). */
    OneNodeModel floats(String name, float... values) {
        nodeInputs.add(name);
        initializers.add(Models.floats(name, new long[] {values.length}, values));
        return this;
    }

    /** A float32 scalar initializer (a pad value). */
    OneNodeModel scalar(String name, float value) {
        nodeInputs.add(name);
        initializers.add(Models.floats(name, new long[0], value));
        return this;
    }

    /** A bool initializer (a condition). */
    OneNodeModel bools(String name, boolean... values) {
        nodeInputs.add(name);
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.BOOL_VALUE)
                .addDims(values.length);
        for (boolean v : values) {
            t.addInt32Data(v ? 1 : 0);
        }
        initializers.add(t.build());
        return this;
    }

    /** An omitted optional input. */
    OneNodeModel skip() {
        nodeInputs.add("");
        return this;
    }

    /** Output names; a name ending in ":i" is an int64 output (the suffix is dropped). */
    OneNodeModel outputs(String... names) {
        outputs.addAll(List.of(names));
        return this;
    }

    ModelProto model(int opset) {
        List<String> outs = outputs.isEmpty() ? List.of("y") : outputs;
        String[] outNames = outs.stream().map(o -> o.replace(":i", "")).toArray(String[]::new);
        NodeProto node = Models.node(op, nodeInputs.toArray(String[]::new), outNames, attrs);
        int type = float32 ? TensorProto.DataType.FLOAT_VALUE : TensorProto.DataType.DOUBLE_VALUE;
        GraphProto.Builder g =
                GraphProto.newBuilder().setName(op + "_test").addNode(node).addAllInitializer(initializers);
        for (int i = 0; i < dataNames.size(); i++) {
            g.addInput(Models.value(dataNames.get(i), type, dataDims.get(i)));
        }
        for (String o : outs) {
            g.addOutput(Models.value(o.replace(":i", ""), o.endsWith(":i") ? TensorProto.DataType.INT64_VALUE : type));
        }
        return Models.model(g.build(), opset);
    }

    GradientCheck.InputMaker inputs() {
        return m -> {
            NDList list = new NDList();
            data.forEach(f -> list.add(f.apply(m)));
            return list;
        };
    }

    /** Every data input's index (all of them are checked for gradients). */
    int[] allData() {
        int[] idx = new int[dataNames.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return idx;
    }

    @Override
    public String toString() {
        return op + nodeInputs;
    }
}
