package dev.mergenet.importers.ops.rnn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.stringAttr;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import com.google.protobuf.ByteString;
import dev.mergenet.importers.ops.nn.NodeCases;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * LSTM, GRU and RNN against ONNX Runtime with every optional input (sequence_lens shorter than the sequence,
 * initial states, peepholes) and both directions; and their gradients in float64, batch-first layout included
 * (ONNX Runtime's CPU kernels reject layout 1; the conformance cases *_batchwise cover it against the spec).
 */
class RecurrentTest {
    private static final int T = 4;
    private static final int B = 3;
    private static final int I = 2;
    private static final int H = 3;
    private static final int[] LENGTHS = {4, 2, 3};

    /** A recurrent node with all inputs fed as graph inputs (sequence_lens as int32). */
    private static ModelProto model(
            String op, int gates, int dirs, boolean batchFirst, int type, AttributeProto... attrs) {
        boolean lstm = op.equals("LSTM");
        List<String> names = new ArrayList<>(List.of("X", "W", "R", "B", "lens", "h0"));
        if (lstm) {
            names.add("c0");
            names.add("P");
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName(op.toLowerCase());
        List<AttributeProto> all = new ArrayList<>(List.of(attrs));
        all.add(intAttr("hidden_size", H));
        if (batchFirst) {
            all.add(intAttr("layout", 1));
        }
        String[] outs = lstm ? new String[] {"Y", "Yh", "Yc"} : new String[] {"Y", "Yh"};
        g.addNode(Models.node(op, names.toArray(new String[0]), outs, all.toArray(new AttributeProto[0])));
        g.addInput(Models.value("X", type, batchFirst ? new long[] {B, T, I} : new long[] {T, B, I}));
        g.addInput(Models.value("W", type, dirs, (long) gates * H, I));
        g.addInput(Models.value("R", type, dirs, (long) gates * H, H));
        g.addInput(Models.value("B", type, dirs, 2L * gates * H));
        g.addInput(Models.value("lens", TensorProto.DataType.INT32_VALUE, B));
        long[] state = batchFirst ? new long[] {B, dirs, H} : new long[] {dirs, B, H};
        g.addInput(Models.value("h0", type, state));
        if (lstm) {
            g.addInput(Models.value("c0", type, state));
            g.addInput(Models.value("P", type, dirs, 3L * H));
        }
        for (String o : outs) {
            g.addOutput(Models.value(o, type));
        }
        return Models.model(g.build(), 14);
    }

    private static GradientCheck.InputMaker inputs(String op, int gates, int dirs, boolean batchFirst, DataType type) {
        return m -> {
            Random rnd = new Random(op.hashCode() + dirs);
            NDList list = new NDList();
            list.add(NodeCases.uniform(m, rnd, type, batchFirst ? new long[] {B, T, I} : new long[] {T, B, I}, -1, 1));
            list.add(NodeCases.uniform(m, rnd, type, new long[] {dirs, (long) gates * H, I}, -0.8, 0.8));
            list.add(NodeCases.uniform(m, rnd, type, new long[] {dirs, (long) gates * H, H}, -0.8, 0.8));
            list.add(NodeCases.uniform(m, rnd, type, new long[] {dirs, 2L * gates * H}, -0.5, 0.5));
            list.add(m.create(LENGTHS));
            long[] state = batchFirst ? new long[] {B, dirs, H} : new long[] {dirs, B, H};
            list.add(NodeCases.uniform(m, rnd, type, state, -0.5, 0.5));
            if (op.equals("LSTM")) {
                list.add(NodeCases.uniform(m, rnd, type, state, -0.5, 0.5));
                list.add(NodeCases.uniform(m, rnd, type, new long[] {dirs, 3L * H}, -0.5, 0.5));
            }
            return list;
        };
    }

    @Test
    void lstmMatchesOrt() {
        OrtCheck.assertMatchesOrt(
                model("LSTM", 4, 2, false, FLOAT, stringAttr("direction", "bidirectional")),
                inputs("LSTM", 4, 2, false, DataType.FLOAT32),
                1e-5,
                1e-4);
        OrtCheck.assertMatchesOrt(
                model("LSTM", 4, 1, false, FLOAT, stringAttr("direction", "reverse"), floatAttr("clip", 0.7f)),
                inputs("LSTM", 4, 1, false, DataType.FLOAT32),
                1e-5,
                1e-4);
    }

    @Test
    void lstmInputForgetAndParameterizedActivationsMatchOrt() {
        OrtCheck.assertMatchesOrt(
                model(
                        "LSTM",
                        4,
                        1,
                        false,
                        FLOAT,
                        intAttr("input_forget", 1),
                        strings("activations", "HardSigmoid", "LeakyRelu", "ScaledTanh"),
                        floats("activation_alpha", 0.3f, 0.05f, 1.2f),
                        floats("activation_beta", 0.4f, 0.8f)),
                inputs("LSTM", 4, 1, false, DataType.FLOAT32),
                1e-5,
                1e-4);
        OrtCheck.assertMatchesOrt(
                model(
                        "GRU",
                        3,
                        2,
                        false,
                        FLOAT,
                        stringAttr("direction", "bidirectional"),
                        strings("activations", "Sigmoid", "Softsign", "HardSigmoid", "Elu"),
                        floats("activation_alpha", 0.25f, 0.7f),
                        floats("activation_beta", 0.45f)),
                inputs("GRU", 3, 2, false, DataType.FLOAT32),
                1e-5,
                1e-4);
    }

    @Test
    void gruMatchesOrt() {
        OrtCheck.assertMatchesOrt(
                model(
                        "GRU",
                        3,
                        2,
                        false,
                        FLOAT,
                        stringAttr("direction", "bidirectional"),
                        intAttr("linear_before_reset", 1)),
                inputs("GRU", 3, 2, false, DataType.FLOAT32),
                1e-5,
                1e-4);
        OrtCheck.assertMatchesOrt(
                model("GRU", 3, 1, false, FLOAT, stringAttr("direction", "reverse"), floatAttr("clip", 0.6f)),
                inputs("GRU", 3, 1, false, DataType.FLOAT32),
                1e-5,
                1e-4);
    }

    @Test
    void rnnMatchesOrt() {
        OrtCheck.assertMatchesOrt(
                model(
                        "RNN",
                        1,
                        2,
                        false,
                        FLOAT,
                        stringAttr("direction", "bidirectional"),
                        strings("activations", "Relu", "Tanh")),
                inputs("RNN", 1, 2, false, DataType.FLOAT32),
                1e-5,
                1e-4);
    }

    @Test
    void recurrentGradientsMatchFiniteDifferences() {
        int[] checked = {0, 1, 2, 3, 5};
        GradientCheck.assertGradients(
                model("LSTM", 4, 2, false, DOUBLE, stringAttr("direction", "bidirectional")),
                inputs("LSTM", 4, 2, false, DataType.FLOAT64),
                new int[] {0, 1, 2, 3, 5, 6, 7},
                1e-5);
        GradientCheck.assertGradients(
                model("GRU", 3, 1, true, DOUBLE, intAttr("linear_before_reset", 1)),
                inputs("GRU", 3, 1, true, DataType.FLOAT64),
                checked,
                1e-5);
        GradientCheck.assertGradients(
                model("GRU", 3, 1, false, DOUBLE, stringAttr("direction", "reverse")),
                inputs("GRU", 3, 1, false, DataType.FLOAT64),
                checked,
                1e-5);
        GradientCheck.assertGradients(
                model("RNN", 1, 2, false, DOUBLE, stringAttr("direction", "bidirectional")),
                inputs("RNN", 1, 2, false, DataType.FLOAT64),
                checked,
                1e-5);
    }

    private static AttributeProto floats(String name, float... values) {
        AttributeProto.Builder b =
                AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            b.addFloats(v);
        }
        return b.build();
    }

    private static AttributeProto strings(String name, String... values) {
        AttributeProto.Builder b =
                AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) {
            b.addStrings(ByteString.copyFromUtf8(v));
        }
        return b.build();
    }
}
