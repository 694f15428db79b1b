package dev.mergenet.importers.limits;

import static dev.mergenet.importers.testing.Models.floats;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.longs;
import static dev.mergenet.importers.testing.Models.model;
import static dev.mergenet.importers.testing.Models.node;
import static dev.mergenet.importers.testing.Models.stringAttr;
import static dev.mergenet.importers.testing.Models.value;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.ResourceLimitException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OpCost, the one estimate taken before the engine call (issue 19): every op class whose size or work follows from
 * attributes or input values is refused under a lowered budget, with the node, its shapes and the estimate in the
 * message; the same model under the default budgets still matches ONNX Runtime.
 */
class OpCostTest {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;

    @AfterEach
    void clearProperties() {
        System.clearProperty(MemoryBudget.PROPERTY);
        System.clearProperty(WorkBudget.PROPERTY);
    }

    @Test
    void averagePoolWithAKernelOfTwoToThe20UnderSameUpperIsRefusedBeforePadding() {
        // test_averagepool_2d_same_upper's mutant (issue 19): half a million columns of SAME padding each side
        ModelProto m = single(
                node(
                        "AveragePool",
                        new String[] {"x"},
                        new String[] {"y"},
                        ints("kernel_shape", 1 << 20, 2),
                        stringAttr("auto_pad", "SAME_UPPER")),
                17,
                new long[] {1, 3, 32, 32});
        System.setProperty(MemoryBudget.PROPERTY, "256m");
        long started = System.nanoTime();
        assertRefused(
                m,
                "averagepool_0",
                "input (1, 3, 32, 32), kernel [1048576, 2], pads [524287, 0] and [524288, 1]",
                "output [1, 3, 32, 32]: padded input: shape [1, 3, 1048607, 33] needs 103812093 elements (396.0 MiB)",
                "memory budget of 256.0 MiB");
        assertTrue(System.nanoTime() - started < 10_000_000_000L, "the refusal took more than 10 s");
    }

    @Test
    void averagePoolOnTheSlicePathCountsItsEngineCalls() {
        // SAME_UPPER with an even kernel pads one side only: the slice-by-slice path, one engine call per offset
        ModelProto m = single(
                node(
                        "AveragePool",
                        new String[] {"x"},
                        new String[] {"y"},
                        ints("kernel_shape", 2, 2),
                        stringAttr("auto_pad", "SAME_UPPER")),
                17,
                new long[] {1, 2, 8, 8});
        OrtCheck.assertMatchesOrt(m, mm -> new NDList(mm.randomNormal(new Shape(1, 2, 8, 8))), 1e-5, 1e-4);
        System.setProperty(WorkBudget.PROPERTY, "200k");
        // 128 outputs of 4 window reads, plus 4 engine calls at 65,536
        assertRefused(
                m,
                "averagepool_0",
                "input (1, 2, 8, 8), kernel [2, 2]",
                "output [1, 2, 8, 8]",
                "262656 multiply-accumulates",
                "4 engine calls",
                "work budget of 204800");
    }

    @Test
    void maxPoolWithDilationsIsRefusedOverTheWorkBudget() {
        ModelProto m = single(
                node(
                        "MaxPool",
                        new String[] {"x"},
                        new String[] {"y"},
                        ints("kernel_shape", 2, 2),
                        ints("dilations", 2, 2)),
                17,
                new long[] {1, 1, 8, 8});
        OrtCheck.assertMatchesOrt(m, mm -> new NDList(mm.randomNormal(new Shape(1, 1, 8, 8))), 1e-6, 1e-6);
        System.setProperty(WorkBudget.PROPERTY, "200k");
        assertRefused(
                m,
                "maxpool_0",
                "input (1, 1, 8, 8), kernel [2, 2]",
                "output [1, 1, 6, 6]",
                "262288 multiply-accumulates");
    }

    @Test
    void maxPoolOnTheNativePathIsRefusedOverTheWorkBudget() {
        ModelProto m = single(
                node("MaxPool", new String[] {"x"}, new String[] {"y"}, ints("kernel_shape", 3, 3)),
                17,
                new long[] {1, 4, 32, 32});
        OrtCheck.assertMatchesOrt(m, mm -> new NDList(mm.randomNormal(new Shape(1, 4, 32, 32))), 1e-6, 1e-6);
        System.setProperty(WorkBudget.PROPERTY, "10k");
        // 4 x 30 x 30 outputs of 9 window reads, one native call
        assertRefused(
                m,
                "maxpool_0",
                "output [1, 4, 30, 30]",
                "97936 multiply-accumulates",
                "1 engine calls",
                "work budget of 10240");
    }

    @Test
    void lpPoolIsRefusedOverTheWorkBudget() {
        ModelProto m = single(
                node("LpPool", new String[] {"x"}, new String[] {"y"}, ints("kernel_shape", 2, 2)),
                17,
                new long[] {1, 1, 8, 8});
        OrtCheck.assertMatchesOrt(m, mm -> new NDList(mm.randomNormal(new Shape(1, 1, 8, 8))), 1e-5, 1e-4);
        System.setProperty(WorkBudget.PROPERTY, "200k");
        assertRefused(m, "lppool_0", "kernel [2, 2]", "output [1, 1, 7, 7]", "262340 multiply-accumulates");
    }

    @Test
    void convWithAsymmetricPadsIsRefusedOverTheMemoryBudget() {
        ModelProto m = graph(
                List.of(node("Conv", new String[] {"x", "w"}, new String[] {"y"}, ints("pads", 0, 0, 1 << 20, 0))),
                List.of(floats("w", new long[] {1, 1, 1, 1}, 1)),
                List.of(value("x", FLOAT, 1, 1, 32, 32)),
                17);
        System.setProperty(MemoryBudget.PROPERTY, "1m");
        assertRefused(
                m,
                new Shape[] {new Shape(1, 1, 32, 32)},
                "conv_0",
                "input (1, 1, 32, 32), weight (1, 1, 1, 1)",
                "output [1, 1, 1048608, 32]",
                "memory budget of 1.0 MiB");
    }

    @Test
    void deformConvIsRefusedOverTheWorkBudget() {
        ModelProto m = graph(
                List.of(node("DeformConv", new String[] {"x", "w", "offset"}, new String[] {"y"})),
                List.of(
                        floats("w", new long[] {1, 1, 2, 2}, 1, 1, 1, 1),
                        floats("offset", new long[] {1, 8, 3, 3}, new float[72])),
                List.of(value("x", FLOAT, 1, 1, 4, 4)),
                19);
        run(m, new Shape(1, 1, 4, 4));
        System.setProperty(WorkBudget.PROPERTY, "100");
        // sampled columns (1, 1, 4 kernel elements, 9 points), 4 bilinear corners each
        assertRefused(
                m,
                new Shape[] {new Shape(1, 1, 4, 4)},
                "deformconv_0",
                "input (1, 1, 4, 4), weight (1, 1, 2, 2)",
                "output [1, 1, 3, 3]",
                "144 multiply-accumulates");
    }

    @Test
    void gridSampleIsRefusedOverTheMemoryBudget() {
        ModelProto m = graph(
                List.of(node("GridSample", new String[] {"x", "grid"}, new String[] {"y"})),
                List.of(),
                List.of(value("x", FLOAT, 1, 2, 4, 4), value("grid", FLOAT, 1, 64, 64, 2)),
                16);
        OrtCheck.assertMatchesOrt(
                m,
                mm -> new NDList(
                        mm.randomNormal(new Shape(1, 2, 4, 4)), mm.randomUniform(-1.2f, 1.2f, new Shape(1, 64, 64, 2))),
                1e-5,
                1e-4);
        System.setProperty(MemoryBudget.PROPERTY, "64k");
        // 4 bilinear tap combinations of (1, 2, 4096) float terms
        assertRefused(
                m,
                new Shape[] {new Shape(1, 2, 4, 4), new Shape(1, 64, 64, 2)},
                "gridsample_0",
                "input (1, 2, 4, 4), grid (1, 64, 64, 2)",
                "gathered terms",
                "[4, 1, 2, 4096]",
                "memory budget");
    }

    @Test
    void col2ImIsRefusedOverTheWorkBudget() {
        ModelProto m = graph(
                List.of(node("Col2Im", new String[] {"x", "image", "block"}, new String[] {"y"})),
                List.of(longs("image", new long[] {2}, 4, 4), longs("block", new long[] {2}, 2, 2)),
                List.of(value("x", FLOAT, 1, 4, 9)),
                18);
        OrtCheck.assertMatchesOrt(m, mm -> new NDList(mm.randomNormal(new Shape(1, 4, 9))), 1e-5, 1e-4);
        System.setProperty(WorkBudget.PROPERTY, "100");
        assertRefused(
                m,
                new Shape[] {new Shape(1, 4, 9)},
                "col2im_0",
                "input (1, 4, 9), image_shape input 'image' [4, 4]",
                "block_shape [2, 2]",
                "256 multiply-accumulates");
    }

    @Test
    void roiAlignIsRefusedOverTheWorkBudget() {
        ModelProto m = graph(
                List.of(node(
                        "RoiAlign",
                        new String[] {"x", "rois", "batch"},
                        new String[] {"y"},
                        intAttr("output_height", 4),
                        intAttr("output_width", 4),
                        intAttr("sampling_ratio", 2))),
                List.of(floats("rois", new long[] {1, 4}, 0, 0, 7, 7), longs("batch", new long[] {1}, 0)),
                List.of(value("x", FLOAT, 1, 2, 8, 8)),
                16);
        OrtCheck.assertMatchesOrt(m, mm -> new NDList(mm.randomNormal(new Shape(1, 2, 8, 8))), 1e-5, 1e-4);
        System.setProperty(WorkBudget.PROPERTY, "100");
        // 32 outputs of 2 x 2 sampling points x 4 corners
        assertRefused(
                m,
                new Shape[] {new Shape(1, 2, 8, 8)},
                "roialign_0",
                "input (1, 2, 8, 8), 1 rois",
                "output [1, 2, 4, 4]",
                "512 multiply-accumulates");
    }

    @Test
    void maxRoiPoolIsRefusedOverTheMemoryBudget() {
        ModelProto m = graph(
                List.of(node("MaxRoiPool", new String[] {"x", "rois"}, new String[] {"y"}, ints("pooled_shape", 2, 2))),
                List.of(floats("rois", new long[] {2, 5}, 0, 0, 0, 7, 7, 0, 1, 1, 5, 5)),
                List.of(value("x", FLOAT, 1, 3, 8, 8)),
                17);
        OrtCheck.assertMatchesOrt(m, mm -> new NDList(mm.randomNormal(new Shape(1, 3, 8, 8))), 1e-6, 1e-6);
        System.setProperty(MemoryBudget.PROPERTY, "1k");
        assertRefused(
                m,
                new Shape[] {new Shape(1, 3, 8, 8)},
                "maxroipool_0",
                "input (1, 3, 8, 8), 2 rois",
                "input copied per roi",
                "[2, 3, 64]",
                "memory budget of 1.0 KiB");
    }

    @Test
    void resizeIsRefusedOverTheWorkBudget() {
        ModelProto m = graph(
                List.of(node(
                        "Resize", new String[] {"x", "", "scales"}, new String[] {"y"}, stringAttr("mode", "linear"))),
                List.of(floats("scales", new long[] {4}, 1, 1, 4, 4)),
                List.of(value("x", FLOAT, 1, 1, 8, 8)),
                17);
        OrtCheck.assertMatchesOrt(m, mm -> new NDList(mm.randomNormal(new Shape(1, 1, 8, 8))), 1e-5, 1e-4);
        System.setProperty(WorkBudget.PROPERTY, "1k");
        // the first resampled axis: (1, 1, 32, 8) outputs of 8 products each
        assertRefused(
                m,
                new Shape[] {new Shape(1, 1, 8, 8)},
                "resize_0",
                "input 'x' (1, 1, 8, 8), output [1, 1, 32, 32]",
                "2048 multiply-accumulates");
    }

    @Test
    void tileExpandPadAndConstantOfShapeNameTheirShapesAndTheEstimate() {
        System.setProperty(MemoryBudget.PROPERTY, "1m");
        ModelProto tile = graph(
                List.of(node("Tile", new String[] {"x", "r"}, new String[] {"y"})),
                List.of(longs("r", new long[] {2}, 1024, 1024)),
                List.of(value("x", FLOAT, 2, 2)),
                17);
        assertRefused(
                tile,
                new Shape[] {new Shape(2, 2)},
                "tile_0",
                "repeats input 'r'",
                "input (2, 2)",
                "[2048, 2048]",
                "16.0 MiB");
        ModelProto expand = graph(
                List.of(node("Expand", new String[] {"x", "s"}, new String[] {"y"})),
                List.of(longs("s", new long[] {2}, 4096, 4096)),
                List.of(value("x", FLOAT, 1, 1)),
                17);
        assertRefused(
                expand,
                new Shape[] {new Shape(1, 1)},
                "expand_0",
                "shape input 's'",
                "input (1, 1)",
                "[4096, 4096]",
                "64.0 MiB");
        ModelProto pad = graph(
                List.of(node("Pad", new String[] {"x", "p"}, new String[] {"y"})),
                List.of(longs("p", new long[] {4}, 0, 0, 0, 1 << 20)),
                List.of(value("x", FLOAT, 2, 2)),
                17);
        assertRefused(
                pad,
                new Shape[] {new Shape(2, 2)},
                "pad_0",
                "pads input 'p'",
                "input (2, 2)",
                "[2, 1048578]",
                "8.0 MiB");
        ModelProto constant = graph(
                List.of(node("ConstantOfShape", new String[] {"s"}, new String[] {"y"})),
                List.of(longs("s", new long[] {2}, 1024, 1024)),
                List.of(),
                17);
        assertRefused(constant, new Shape[0], "constantofshape_0", "input 's'", "[1024, 1024]", "4.0 MiB");
    }

    @Test
    void splitToSequenceIntoAMillionPiecesIsRefusedForItsEngineCalls() {
        ModelProto m = graph(
                List.of(
                        node("SplitToSequence", new String[] {"x"}, new String[] {"seq"}),
                        node("SequenceLength", new String[] {"seq"}, new String[] {"y"})),
                List.of(),
                List.of(value("x", FLOAT, 1 << 20)),
                17,
                value("y", INT64));
        System.setProperty(WorkBudget.PROPERTY, "1g");
        assertRefused(
                m,
                new Shape[] {new Shape(1 << 20)},
                "splittosequence_0",
                "(1048576) split into 1048576 pieces",
                "1048576 engine calls",
                "work budget");
    }

    @Test
    void maxUnpoolWithStridesOfTwoToThe20IsRefusedOverTheMemoryBudget() {
        ModelProto m = graph(
                List.of(node(
                        "MaxUnpool",
                        new String[] {"x", "i"},
                        new String[] {"y"},
                        ints("kernel_shape", 2, 2),
                        ints("strides", 1 << 20, 1 << 20))),
                List.of(longs("i", new long[] {1, 1, 2, 2}, 0, 1, 2, 3)),
                List.of(value("x", FLOAT, 1, 1, 2, 2)),
                11);
        assertRefused(
                m,
                new Shape[] {new Shape(1, 1, 2, 2)},
                "maxunpool_0",
                "input (1, 1, 2, 2), kernel [2, 2]",
                "output [1, 1, 1048578, 1048578]",
                "memory budget");
    }

    @Test
    void affineGridOfAHugeSizeIsRefusedOverTheMemoryBudget() {
        ModelProto m = graph(
                List.of(node("AffineGrid", new String[] {"theta", "size"}, new String[] {"y"})),
                List.of(longs("size", new long[] {4}, 1, 1, 1 << 16, 1 << 16)),
                List.of(value("theta", FLOAT, 1, 2, 3)),
                20);
        assertRefused(
                m,
                new Shape[] {new Shape(1, 2, 3)},
                "affinegrid_0",
                "theta (1, 2, 3), size input 'size'",
                "[1, 65536, 65536, 2]",
                "memory budget");
    }

    private static ModelProto single(NodeProto node, int opset, long[] shape) {
        return graph(List.of(node), List.of(), List.of(value("x", FLOAT, shape)), opset);
    }

    private static ModelProto graph(
            List<NodeProto> nodes, List<TensorProto> inits, List<ValueInfoProto> inputs, int opset) {
        return graph(nodes, inits, inputs, opset, value("y", FLOAT));
    }

    private static ModelProto graph(
            List<NodeProto> nodes,
            List<TensorProto> inits,
            List<ValueInfoProto> inputs,
            int opset,
            ValueInfoProto output) {
        return model(
                GraphProto.newBuilder()
                        .setName("costly")
                        .addAllNode(nodes)
                        .addAllInitializer(inits)
                        .addAllInput(inputs)
                        .addOutput(output)
                        .build(),
                opset);
    }

    private static void assertRefused(ModelProto m, String... parts) {
        long[] dims = m.getGraph().getInput(0).getType().getTensorType().getShape().getDimList().stream()
                .mapToLong(d -> d.getDimValue())
                .toArray();
        assertRefused(m, new Shape[] {new Shape(dims)}, parts);
    }

    private static void assertRefused(ModelProto m, Shape[] inputs, String... parts) {
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> run(m, inputs));
        assertTrue(e.getMessage().startsWith("costly.onnx: "), "no file name: " + e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    /** Imports and runs the model on zero inputs of the given shapes. */
    private static void run(ModelProto m, Shape... inputs) {
        try (NDManager manager = NDManager.newBaseManager()) {
            OnnxGraphBlock block =
                    OnnxImporter.load(OnnxModelReader.read(m.toByteArray(), "costly.onnx", null), manager);
            NDList in = new NDList();
            for (Shape s : inputs) {
                in.add(manager.zeros(s));
            }
            block.forward(new ParameterStore(manager, false), in, false);
        }
    }
}
