package dev.mergenet.importers.limits;

import static dev.mergenet.importers.testing.Models.floats;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.longs;
import static dev.mergenet.importers.testing.Models.model;
import static dev.mergenet.importers.testing.Models.node;
import static dev.mergenet.importers.testing.Models.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.core.errors.ResourceLimitException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Models whose own numbers ask for too much (issue 10's list): each must end in one project exception that
 * names the file, the node and the size, before anything large is allocated or a loop runs away.
 */
class HostileModelTest {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;

    @AfterEach
    void clearProperties() {
        System.clearProperty(MemoryBudget.PROPERTY);
        System.clearProperty(LoopBudget.MAX_ITERATIONS);
        System.clearProperty(LoopBudget.TIME_BUDGET);
        System.clearProperty(WorkBudget.PROPERTY);
    }

    @Test
    void rangeToTwoToThe31IsRefusedBeforeAllocating() {
        ModelProto m = graph(
                List.of(node("Range", new String[] {"s", "l", "d"}, new String[] {"y"})),
                List.of(
                        longs("s", new long[0], 0),
                        longs("l", new long[0], (1L << 31) - 1),
                        longs("d", new long[0], 1)),
                List.of(),
                value("y", INT64));
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> run(m));
        assertNames(e, "range_0", "2147483647 elements", "memory budget");
    }

    @Test
    void rangeWithAnInfiniteLimitHasNoLength() {
        ModelProto m = graph(
                List.of(node("Range", new String[] {"s", "l", "d"}, new String[] {"y"})),
                List.of(
                        floats("s", new long[0], 0),
                        floats("l", new long[0], Float.POSITIVE_INFINITY),
                        floats("d", new long[0], 1)),
                List.of(),
                value("y", FLOAT));
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(m)), "range_0", "Infinity", "no finite length");
    }

    @Test
    void resizeByABillionIsOverBudget() {
        ModelProto m = graph(
                List.of(node("Resize", new String[] {"x", "", "scales"}, new String[] {"y"})),
                List.of(floats("scales", new long[] {4}, 1, 1, 1e9f, 1)),
                List.of(value("x", FLOAT, 1, 1, 4, 4)),
                value("y", FLOAT));
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(m, new Shape(1, 1, 4, 4))),
                "resize_0",
                "input 'x'",
                "memory budget");
    }

    @Test
    void roiAlignOutputHeightTwoToThe31IsRefused() {
        ModelProto m = graph(
                List.of(node(
                        "RoiAlign",
                        new String[] {"x", "rois", "batch"},
                        new String[] {"y"},
                        intAttr("output_height", 1L << 31))),
                List.of(floats("rois", new long[] {1, 4}, 0, 0, 3, 3), longs("batch", new long[] {1}, 0)),
                List.of(value("x", FLOAT, 1, 1, 4, 4)),
                value("y", FLOAT));
        assertNames(
                assertThrows(OnnxFormatException.class, () -> run(m, new Shape(1, 1, 4, 4))),
                "roialign_0",
                "output_height = 2147483648");
    }

    @Test
    void roiAlignHugeOutputIsOverBudget() {
        System.setProperty(MemoryBudget.PROPERTY, "64m");
        ModelProto m = graph(
                List.of(node(
                        "RoiAlign",
                        new String[] {"x", "rois", "batch"},
                        new String[] {"y"},
                        intAttr("output_height", 1 << 14),
                        intAttr("output_width", 1 << 14))),
                List.of(floats("rois", new long[] {1, 4}, 0, 0, 3, 3), longs("batch", new long[] {1}, 0)),
                List.of(value("x", FLOAT, 1, 1, 4, 4)),
                value("y", FLOAT));
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(m, new Shape(1, 1, 4, 4))),
                "roialign_0",
                "[1, 1, 16384, 16384]",
                "64.0 MiB");
    }

    @Test
    void averagePoolWithANegativeKernelIsRefused() {
        ModelProto m = graph(
                List.of(node(
                        "AveragePool", new String[] {"x"}, new String[] {"y"}, ints("kernel_shape", -(1L << 31), 2))),
                List.of(),
                List.of(value("x", FLOAT, 1, 1, 4, 4)),
                value("y", FLOAT));
        assertNames(
                assertThrows(OnnxFormatException.class, () -> run(m, new Shape(1, 1, 4, 4))),
                "averagepool_0",
                "kernel -2147483648");
    }

    @Test
    void constantOfShapeOverBudgetNamesItsInput() {
        ModelProto m = graph(
                List.of(node("ConstantOfShape", new String[] {"shape"}, new String[] {"y"})),
                List.of(longs("shape", new long[] {2}, 1L << 31, 2)),
                List.of(),
                value("y", FLOAT));
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(m)),
                "constantofshape_0",
                "input 'shape'",
                "[2147483648, 2]",
                "16.0 GiB");
    }

    @Test
    void shapeProductsThatOverflowAreProjectErrors() {
        for (long[] shape : new long[][] {{Long.MAX_VALUE, 12}, {1L << 62, 4}}) {
            ModelProto m = graph(
                    List.of(node("ConstantOfShape", new String[] {"shape"}, new String[] {"y"})),
                    List.of(longs("shape", new long[] {2}, shape)),
                    List.of(),
                    value("y", FLOAT));
            assertNames(
                    assertThrows(ResourceLimitException.class, () -> run(m)),
                    "constantofshape_0",
                    "more elements than a 64-bit count holds");
        }
        ModelProto expand = graph(
                List.of(node("Expand", new String[] {"x", "shape"}, new String[] {"y"})),
                List.of(longs("shape", new long[] {2}, 1L << 62, 4)),
                List.of(value("x", FLOAT, 1, 1)),
                value("y", FLOAT));
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(expand, new Shape(1, 1))),
                "expand_0",
                "input 'shape'",
                "64-bit");
    }

    @Test
    void tileOverBudgetNamesItsRepeats() {
        ModelProto m = graph(
                List.of(node("Tile", new String[] {"x", "repeats"}, new String[] {"y"})),
                List.of(longs("repeats", new long[] {2}, 1L << 31, 2)),
                List.of(value("x", FLOAT, 2, 2)),
                value("y", FLOAT));
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(m, new Shape(2, 2))),
                "tile_0",
                "input 'repeats'",
                "[4294967296, 4]");
    }

    @Test
    void broadcastingTwoSmallInputsIntoAHugeOutputIsOverBudget() {
        System.setProperty(MemoryBudget.PROPERTY, "64m");
        ModelProto m = graph(
                List.of(node("Add", new String[] {"a", "b"}, new String[] {"y"})),
                List.of(),
                List.of(value("a", FLOAT, 1 << 14, 1), value("b", FLOAT, 1, 1 << 14)),
                value("y", FLOAT));
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(m, new Shape(1 << 14, 1), new Shape(1, 1 << 14))),
                "add_0",
                "broadcast output",
                "[16384, 16384]");
    }

    @Test
    void loopWithTripCountTwoToThe62StopsAtTheIterationCap() {
        System.setProperty(LoopBudget.MAX_ITERATIONS, "1000");
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(longLoop())), "loop_0", "after 1000 iterations");
    }

    @Test
    void loopWithTripCountTwoToThe62StopsAtTheTimeBudget() {
        System.setProperty(LoopBudget.MAX_ITERATIONS, Long.toString(Long.MAX_VALUE));
        System.setProperty(LoopBudget.TIME_BUDGET, "1");
        long started = System.nanoTime();
        assertNames(assertThrows(ResourceLimitException.class, () -> run(longLoop())), "loop_0", "after 1 s");
        assertTrue(System.nanoTime() - started < 30_000_000_000L, "the loop ran far past its time budget");
    }

    @Test
    void tfIdfWithANegativeNgramCountIsRefused() {
        NodeProto n = node(
                "TfIdfVectorizer",
                new String[] {"t"},
                new String[] {"y"},
                intAttr("min_gram_length", 1),
                intAttr("max_gram_length", 2),
                intAttr("max_skip_count", 0),
                Models.stringAttr("mode", "TF"),
                ints("ngram_counts", 0, -5),
                ints("ngram_indexes", 0, 1),
                ints("pool_int64s", 1, 2, 3));
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addNode(n)
                        .addInput(value("t", INT64, 1, 4))
                        .addOutput(value("y", FLOAT))
                        .build(),
                9);
        assertNames(assertThrows(OnnxFormatException.class, () -> run(m)), "tfidfvectorizer_0", "ngram_counts [0, -5]");
    }

    @Test
    void convOverTheWorkBudgetIsRefusedBeforeItRuns() {
        ModelProto m = graph(
                List.of(node("Conv", new String[] {"x", "w"}, new String[] {"y"}, ints("pads", 1, 1, 1, 1))),
                List.of(floats("w", new long[] {8, 4, 3, 3}, new float[8 * 4 * 9])),
                List.of(value("x", FLOAT, 1, 4, 32, 32)),
                value("y", FLOAT));
        run(m, new Shape(1, 4, 32, 32)); // 294,912 multiply-accumulates: far under the default budget
        System.setProperty(WorkBudget.PROPERTY, "100k");
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(m, new Shape(1, 4, 32, 32))),
                "conv_0",
                "input (1, 4, 32, 32), weight (8, 4, 3, 3), output [1, 8, 32, 32]",
                "294912 multiply-accumulates",
                "work budget of 102400");
    }

    @Test
    void convTransposeWithStrideTwoToThe20IsOverASmallWorkBudget() {
        ModelProto m = graph(
                List.of(node(
                        "ConvTranspose",
                        new String[] {"x", "w"},
                        new String[] {"y"},
                        Models.stringAttr("auto_pad", "SAME_UPPER"),
                        ints("strides", 1 << 20, 2))),
                List.of(floats("w", new long[] {1, 2, 3, 3}, new float[18])),
                List.of(value("x", FLOAT, 1, 1, 3, 3)),
                value("y", FLOAT));
        System.setProperty(WorkBudget.PROPERTY, "64m");
        // the direct convolution it runs: 2 x 3,145,728 x 6 outputs of 9 products each
        assertNames(
                assertThrows(ResourceLimitException.class, () -> run(m, new Shape(1, 1, 3, 3))),
                "convtranspose_0",
                "output [1, 2, 3145728, 6]",
                "339738624 multiply-accumulates",
                "work budget");
    }

    @Test
    void workBudgetDefaultsToTwoToThe40AndTakesUnits() {
        assertEquals(1L << 40, WorkBudget.macs());
        System.setProperty(WorkBudget.PROPERTY, "1g");
        assertEquals(1L << 30, WorkBudget.macs());
        System.setProperty(WorkBudget.PROPERTY, "lots");
        assertThrows(IllegalArgumentException.class, WorkBudget::macs);
        assertThrows(
                ResourceLimitException.class,
                () -> OpCost.of("f: conv").work(new long[] {1L << 32, 1L << 20}, 1L << 20));
    }

    @Test
    void externalDataLocationWithANulByteIsAFormatError() {
        TensorProto w = TensorProto.newBuilder()
                .setName("w")
                .setDataType(FLOAT)
                .addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(
                        StringStringEntryProto.newBuilder().setKey("location").setValue("a\0b"))
                .build();
        ModelProto m = graph(
                List.of(node("Identity", new String[] {"w"}, new String[] {"y"})),
                List.of(w),
                List.of(),
                value("y", FLOAT));
        OnnxFormatException e = assertThrows(
                OnnxFormatException.class, () -> OnnxModelReader.read(m.toByteArray(), "hostile.onnx", Path.of(".")));
        assertNames(e, "hostile.onnx", "tensor 'w'", "NUL byte");
    }

    @Test
    void budgetPropertyTakesUnitsAndRefusesNonsense() {
        assertEquals(8L << 30, MemoryBudget.parse("8g"));
        assertEquals(512L << 20, MemoryBudget.parse("512M"));
        assertEquals(1234, MemoryBudget.parse("1234"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parse("-1g"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parse("lots"));
        System.setProperty(MemoryBudget.PROPERTY, "3k");
        assertEquals(3072, MemoryBudget.bytes());
    }

    @Test
    void shapeMathRefusesOverflowAndNegativeDims() {
        assertEquals(24, ShapeMath.elements(new long[] {2, 3, 4}, "x"));
        assertEquals(0, ShapeMath.elements(new long[] {Long.MAX_VALUE, 0}, "x"));
        for (long[] s : new long[][] {{1L << 31, 1L << 31, 4}, {Long.MAX_VALUE, 12}, {1L << 62, 4}}) {
            ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> ShapeMath.elements(s, "f: in"));
            assertTrue(e.getMessage().startsWith("f: in: shape ["), e.getMessage());
        }
        assertThrows(ResourceLimitException.class, () -> ShapeMath.elements(new long[] {2, -1}, "x"));
    }

    /** Loop(M = 2^62) whose body passes one value through. */
    private static ModelProto longLoop() {
        GraphProto body = GraphProto.newBuilder()
                .setName("body")
                .addNode(node("Identity", new String[] {"c"}, new String[] {"co"}))
                .addNode(NodeProto.newBuilder(node("Identity", new String[] {"v"}, new String[] {"vo"}))
                        .setName("identity_1"))
                .addInput(value("i", INT64))
                .addInput(value("c", TensorProto.DataType.BOOL_VALUE))
                .addInput(value("v", FLOAT, 1))
                .addOutput(value("co", TensorProto.DataType.BOOL_VALUE))
                .addOutput(value("vo", FLOAT, 1))
                .build();
        NodeProto loop = node(
                "Loop",
                new String[] {"M", "", "v0"},
                new String[] {"vf"},
                AttributeProto.newBuilder()
                        .setName("body")
                        .setType(AttributeProto.AttributeType.GRAPH)
                        .setG(body)
                        .build());
        return graph(
                List.of(loop),
                List.of(longs("M", new long[0], 1L << 62), floats("v0", new long[] {1}, 1)),
                List.of(),
                value("vf", FLOAT));
    }

    private static ModelProto graph(
            List<NodeProto> nodes, List<TensorProto> inits, List<ValueInfoProto> inputs, ValueInfoProto output) {
        return model(
                GraphProto.newBuilder()
                        .setName("hostile")
                        .addAllNode(nodes)
                        .addAllInitializer(inits)
                        .addAllInput(inputs)
                        .addOutput(output)
                        .build(),
                17);
    }

    /** Imports and runs the model on zero inputs of the given shapes. */
    private static void run(ModelProto m, Shape... inputs) {
        try (NDManager manager = NDManager.newBaseManager()) {
            OnnxGraphBlock block =
                    OnnxImporter.load(OnnxModelReader.read(m.toByteArray(), "hostile.onnx", null), manager);
            NDList in = new NDList();
            for (Shape s : inputs) {
                in.add(manager.zeros(s));
            }
            if (block.inputNames().size() == 1 && inputs.length == 0) {
                in.add(manager.zeros(new Shape(1, 4), DataType.INT64));
            }
            block.forward(new ParameterStore(manager, false), in, false);
        }
    }

    private static void assertNames(MergeNetException e, String... parts) {
        assertTrue(e.getMessage().startsWith("hostile.onnx: "), "no file name: " + e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }
}
