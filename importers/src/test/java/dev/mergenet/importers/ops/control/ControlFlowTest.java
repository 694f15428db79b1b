package dev.mergenet.importers.ops.control;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.INT64;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.node;
import static dev.mergenet.importers.testing.Models.value;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.ops.nn.NodeCases;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** If, Loop and Scan against ONNX Runtime: branch choice, trip counts, carried values, scan outputs, outer reads. */
class ControlFlowTest {
    private static final int BOOL = TensorProto.DataType.BOOL_VALUE;
    private static final long[] SCALAR = {};

    private static AttributeProto graph(String name, GraphProto g) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.GRAPH)
                .setG(g)
                .build();
    }

    private static ModelProto ifModel(int type) {
        GraphProto thenBranch = GraphProto.newBuilder()
                .setName("then")
                .addNode(node("MaxPool", new String[] {"x"}, new String[] {"t"}, ints("kernel_shape", 2, 2)))
                .addOutput(value("t", type))
                .build();
        GraphProto elseBranch = GraphProto.newBuilder()
                .setName("else")
                .addNode(node("AveragePool", new String[] {"x"}, new String[] {"e"}, ints("kernel_shape", 2, 2)))
                .addOutput(value("e", type))
                .build();
        GraphProto g = GraphProto.newBuilder()
                .setName("if")
                .addNode(node(
                        "If",
                        new String[] {"cond"},
                        new String[] {"y"},
                        graph("then_branch", thenBranch),
                        graph("else_branch", elseBranch)))
                .addInput(value("cond", BOOL))
                .addInput(value("x", type, 1, 2, 4, 4))
                .addOutput(value("y", type))
                .build();
        return Models.model(g, 13);
    }

    @Test
    void ifRunsTheChosenBranchOnOuterValues() {
        for (boolean cond : new boolean[] {true, false}) {
            OrtCheck.assertMatchesOrt(
                    ifModel(FLOAT),
                    m -> new NDList(
                            m.create(cond),
                            NodeCases.uniform(m, new Random(41), DataType.FLOAT32, new long[] {1, 2, 4, 4}, -1, 1)),
                    1e-6,
                    1e-6);
            GradientCheck.assertGradients(
                    ifModel(DOUBLE),
                    m -> new NDList(
                            m.create(cond),
                            NodeCases.uniform(m, new Random(41), DataType.FLOAT64, new long[] {1, 2, 4, 4}, -1, 1)),
                    new int[] {1},
                    1e-5);
        }
    }

    /** Loop carrying v through a smoothing pool, scanning the iteration number and an outer-scope value. */
    private static ModelProto loopModel(int type) {
        GraphProto body = GraphProto.newBuilder()
                .setName("body")
                .addNode(node("Identity", new String[] {"c_in"}, new String[] {"c_out"}))
                .addNode(node(
                        "AveragePool",
                        new String[] {"v_in"},
                        new String[] {"v_out"},
                        ints("kernel_shape", 3, 3),
                        ints("pads", 1, 1, 1, 1)))
                .addNode(node("Identity", new String[] {"iter"}, new String[] {"iter_out"}).toBuilder()
                        .setName("copy_iter"))
                .addNode(node("GlobalMaxPool", new String[] {"outer"}, new String[] {"outer_max"}))
                .addInput(value("iter", INT64, SCALAR))
                .addInput(value("c_in", BOOL, SCALAR))
                .addInput(value("v_in", type))
                .addOutput(value("c_out", BOOL, SCALAR))
                .addOutput(value("v_out", type))
                .addOutput(value("iter_out", INT64, SCALAR))
                .addOutput(value("outer_max", type, 1, 2, 1, 1))
                .build();
        GraphProto g = GraphProto.newBuilder()
                .setName("loop")
                .addNode(node(
                        "Loop",
                        new String[] {"M", "cond", "v0"},
                        new String[] {"v", "iters", "maxes"},
                        graph("body", body)))
                .addInput(value("M", INT64, SCALAR))
                .addInput(value("cond", BOOL, SCALAR))
                .addInput(value("v0", type, 1, 1, 4, 5))
                .addInput(value("outer", type, 1, 2, 3, 3))
                .addOutput(value("v", type))
                .addOutput(value("iters", INT64))
                .addOutput(value("maxes", type))
                .build();
        return Models.model(g, 13);
    }

    private static GradientCheck.InputMaker loopInputs(DataType type) {
        return m -> {
            Random rnd = new Random(42);
            return new NDList(
                    m.create(3L),
                    m.create(true),
                    NodeCases.uniform(m, rnd, type, new long[] {1, 1, 4, 5}, -1, 1),
                    NodeCases.uniform(m, rnd, type, new long[] {1, 2, 3, 3}, -1, 1));
        };
    }

    @Test
    void loopCarriesValuesAndStacksScanOutputs() {
        OrtCheck.assertMatchesOrt(loopModel(FLOAT), loopInputs(DataType.FLOAT32), 1e-6, 1e-5);
    }

    /** With no iteration, scan outputs take their row shape from the body's declared outputs. */
    @Test
    void loopWithZeroTripsKeepsInitialValuesAndEmptyScans() {
        OrtCheck.assertMatchesOrt(
                loopModel(FLOAT),
                m -> {
                    NDList in = loopInputs(DataType.FLOAT32).make(m);
                    in.set(0, m.create(0L));
                    return in;
                },
                0,
                0);
    }

    @Test
    void loopGradientsFlowThroughEveryIteration() {
        GradientCheck.assertGradients(loopModel(DOUBLE), loopInputs(DataType.FLOAT64), new int[] {2, 3}, 1e-5);
    }

    /** Scan whose state becomes the last scanned slice and whose output pools the previous state. */
    private static ModelProto scanModel(int type) {
        GraphProto body = GraphProto.newBuilder()
                .setName("body")
                .addNode(node("Identity", new String[] {"x_t"}, new String[] {"s_out"}))
                .addNode(node(
                        "AveragePool",
                        new String[] {"s_in"},
                        new String[] {"y_t"},
                        ints("kernel_shape", 3, 3),
                        ints("pads", 1, 1, 1, 1)))
                .addInput(value("s_in", type, 1, 2, 3, 3))
                .addInput(value("x_t", type, 1, 2, 3, 3))
                .addOutput(value("s_out", type, 1, 2, 3, 3))
                .addOutput(value("y_t", type, 1, 2, 3, 3))
                .build();
        GraphProto g = GraphProto.newBuilder()
                .setName("scan")
                .addNode(node(
                        "Scan",
                        new String[] {"s0", "xs"},
                        new String[] {"s", "ys"},
                        graph("body", body),
                        intAttr("num_scan_inputs", 1),
                        ints("scan_input_axes", 4),
                        ints("scan_input_directions", 1),
                        ints("scan_output_axes", 2),
                        ints("scan_output_directions", 1)))
                .addInput(value("s0", type, 1, 2, 3, 3))
                .addInput(value("xs", type, 1, 2, 3, 3, 4))
                .addOutput(value("s", type))
                .addOutput(value("ys", type))
                .build();
        return Models.model(g, 11);
    }

    @Test
    void scanWithAxesAndDirectionsMatchesOrtAndPassesGradients() {
        long[][] shapes = {{1, 2, 3, 3}, {1, 2, 3, 3, 4}};
        OrtCheck.assertMatchesOrt(scanModel(FLOAT), NodeCases.random(43, DataType.FLOAT32, shapes), 1e-6, 1e-5);
        GradientCheck.assertGradients(
                scanModel(DOUBLE), NodeCases.random(43, DataType.FLOAT64, shapes), new int[] {0, 1}, 1e-5);
    }

    private static ModelProto scan8(boolean withLengths) {
        GraphProto body = GraphProto.newBuilder()
                .setName("body")
                .addNode(node("Identity", new String[] {"x_t"}, new String[] {"s_out"}))
                .addNode(node("Identity", new String[] {"s_in"}, new String[] {"y_t"}).toBuilder()
                        .setName("copy_state"))
                .addInput(value("s_in", FLOAT, 3))
                .addInput(value("x_t", FLOAT, 3))
                .addOutput(value("s_out", FLOAT, 3))
                .addOutput(value("y_t", FLOAT, 3))
                .build();
        GraphProto.Builder g = GraphProto.newBuilder()
                .setName("scan8")
                .addNode(node(
                        "Scan",
                        new String[] {withLengths ? "lens" : "", "s0", "xs"},
                        new String[] {"s", "ys"},
                        graph("body", body),
                        intAttr("num_scan_inputs", 1),
                        ints("directions", 1)));
        if (withLengths) {
            g.addInput(value("lens", INT64, 2));
        }
        g.addInput(value("s0", FLOAT, 2, 3))
                .addInput(value("xs", FLOAT, 2, 4, 3))
                .addOutput(value("s", FLOAT))
                .addOutput(value("ys", FLOAT));
        return Models.model(g.build(), 8);
    }

    @Test
    void scan8ScansEachBatchEntryOverItsOwnLength() {
        OrtCheck.assertMatchesOrt(
                scan8(false),
                m -> new NDList(
                        m.arange(6f).reshape(new Shape(2, 3)),
                        m.arange(24f).reshape(new Shape(2, 4, 3)).add(100)),
                0,
                0);
        OrtCheck.assertMatchesOrt(
                scan8(true),
                m -> new NDList(
                        m.create(new long[] {4, 2}),
                        m.arange(6f).reshape(new Shape(2, 3)),
                        m.arange(24f).reshape(new Shape(2, 4, 3)).add(100)),
                0,
                0);
    }
}
