package dev.mergenet.importers.ops;

import static dev.mergenet.importers.testing.Models.floats;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.longs;
import static dev.mergenet.importers.testing.Models.model;
import static dev.mergenet.importers.testing.Models.node;
import static dev.mergenet.importers.testing.Models.value;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.NodeExecutionException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.core.errors.ResourceLimitException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Malformed nodes the fuzz program found leaking a library exception (docs/fuzzing.md): each must now end in an
 * OnnxFormatException that names the file, the node and the offending value, not a NodeExecutionException.
 */
class MalformedNodeTest {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;

    @Test
    void scanAxisOutOfRangeIsRefused() {
        ModelProto m = scan(
                11,
                List.of(intAttr("num_scan_inputs", 1), ints("scan_input_axes", 5)),
                new String[] {"s0", "x"},
                List.of(value("x", FLOAT, 3, 2)));
        assertFormatError(() -> run(m, new Shape(3, 2)), "scan_0", "scan_input_axes[0] = 5");
    }

    @Test
    void scanWithMoreScanInputsThanInputsIsRefused() {
        ModelProto m = scan(
                11, List.of(intAttr("num_scan_inputs", 5)), new String[] {"s0", "x"}, List.of(value("x", FLOAT, 3, 2)));
        assertFormatError(() -> run(m, new Shape(3, 2)), "scan_0", "num_scan_inputs 5");
    }

    @Test
    void batchedScanWithoutScanInputsIsRefused() {
        ModelProto m = scan(
                8,
                List.of(intAttr("num_scan_inputs", 0)),
                new String[] {"", "s0", "x"},
                List.of(value("x", FLOAT, 1, 3, 2)));
        assertFormatError(() -> run(m, new Shape(1, 3, 2)), "scan_0", "num_scan_inputs 0");
    }

    @Test
    void batchedScanWithASequenceLengthPastTheInputIsRefused() {
        ModelProto m = scan(
                8,
                List.of(intAttr("num_scan_inputs", 1)),
                new String[] {"lens", "s0", "x"},
                List.of(value("x", FLOAT, 1, 3, 2)));
        assertFormatError(() -> run(m, new Shape(1, 3, 2)), "scan_0", "sequence_lens[0] = 7");
    }

    @Test
    void splitToSequenceAxisOutOfRangeIsRefused() {
        ModelProto m = graph(
                List.of(
                        node("SplitToSequence", new String[] {"x"}, new String[] {"seq"}, intAttr("axis", 1 << 20)),
                        node("SequenceLength", new String[] {"seq"}, new String[] {"y"})),
                List.of(),
                List.of(value("x", FLOAT, 2, 3, 4)),
                value("y", INT64),
                12);
        assertFormatError(() -> run(m, new Shape(2, 3, 4)), "splittosequence_0", "axis 1048576");
    }

    @Test
    void splitToSequenceWithAZeroChunkIsRefused() {
        ModelProto m = graph(
                List.of(
                        node("SplitToSequence", new String[] {"x", "split"}, new String[] {"seq"}),
                        node("SequenceLength", new String[] {"seq"}, new String[] {"y"})),
                List.of(longs("split", new long[0], 0)),
                List.of(value("x", FLOAT, 2, 3)),
                value("y", INT64),
                12);
        assertFormatError(() -> run(m, new Shape(2, 3)), "splittosequence_0", "split 'split' = 0");
    }

    @Test
    void oneHotWithAnEmptyDepthIsRefused() {
        ModelProto m = graph(
                List.of(node("OneHot", new String[] {"x", "depth", "values"}, new String[] {"y"})),
                List.of(longs("depth", new long[] {0}), floats("values", new long[] {2}, 0, 1)),
                List.of(value("x", FLOAT, 3, 2)),
                value("y", FLOAT),
                13);
        assertFormatError(() -> run(m, new Shape(3, 2)), "onehot_0", "input 'depth' int64(0)", "exactly one value");
    }

    @Test
    void gatherNdWithNegativeBatchDimsIsRefused() {
        ModelProto m = graph(
                List.of(node("GatherND", new String[] {"x", "i"}, new String[] {"y"}, intAttr("batch_dims", -1))),
                List.of(longs("i", new long[] {2, 1}, 0, 1)),
                List.of(value("x", FLOAT, 2, 2, 2)),
                value("y", FLOAT),
                13);
        assertFormatError(() -> run(m, new Shape(2, 2, 2)), "gathernd_0", "batch_dims -1");
    }

    @Test
    void gatherNdIndexBelowTheDataIsRefused() {
        ModelProto m = graph(
                List.of(node("GatherND", new String[] {"x", "i"}, new String[] {"y"})),
                List.of(longs("i", new long[] {1, 1}, -18)),
                List.of(value("x", FLOAT, 3, 2)),
                value("y", FLOAT),
                13);
        assertFormatError(() -> run(m, new Shape(3, 2)), "gathernd_0", "indices 'i' (1, 1)", "data 'x' (3, 2)");
    }

    @Test
    void lrnWithSizeZeroIsRefused() {
        ModelProto m = graph(
                List.of(node("LRN", new String[] {"x"}, new String[] {"y"}, intAttr("size", 0))),
                List.of(),
                List.of(value("x", FLOAT, 5, 5, 5, 5)),
                value("y", FLOAT),
                13);
        assertFormatError(() -> run(m, new Shape(5, 5, 5, 5)), "lrn_0", "size 0");
    }

    @Test
    void nonZeroOfASequenceIsRefused() {
        ModelProto m = graph(
                List.of(
                        node("SplitToSequence", new String[] {"x"}, new String[] {"seq"}),
                        node("NonZero", new String[] {"seq"}, new String[] {"y"})),
                List.of(),
                List.of(value("x", FLOAT, 2, 3)),
                value("y", INT64),
                12);
        assertFormatError(() -> run(m, new Shape(2, 3)), "nonzero_0", "input 'seq' is a sequence");
    }

    @Test
    void convTransposeWithAnOutputShapeOfZeroIsRefused() {
        ModelProto m = convTranspose(ints("output_shape", 0, 5));
        assertFormatError(
                () -> run(m, new Shape(1, 1, 3, 3)),
                "convtranspose_0",
                "output size 0 along spatial axis 0",
                "output_shape");
    }

    @Test
    void convTransposeWithPadsLargerThanItsOutputIsRefused() {
        ModelProto m = convTranspose(ints("pads", 1, 5, 1, 5));
        assertFormatError(
                () -> run(m, new Shape(1, 1, 3, 3)),
                "convtranspose_0",
                "output size -5 along spatial axis 1",
                "pads 5, 5");
    }

    @Test
    void matMulWithDifferentInnerDimsIsRefused() {
        ModelProto m = binary("MatMul", List.of(), List.of(value("a", FLOAT, 3, 4, 5), value("b", FLOAT, 3, 4, 5)), 13);
        assertFormatError(
                () -> run(m, new Shape(3, 4, 5), new Shape(3, 4, 5)),
                "matmul_0",
                "input 'a' float32(3, 4, 5) and input 'b' float32(3, 4, 5)",
                "inner dimensions differ");
    }

    @Test
    void matMulWithBatchDimsThatDoNotBroadcastIsRefused() {
        ModelProto m =
                binary("MatMul", List.of(), List.of(value("a", FLOAT, 2, 3, 4, 5), value("b", FLOAT, 3, 3, 5, 4)), 13);
        assertFormatError(
                () -> run(m, new Shape(2, 3, 4, 5), new Shape(3, 3, 5, 4)),
                "matmul_0",
                "batch dimensions do not broadcast");
    }

    @Test
    void matMulOfFloatAndInt64IsRefused() {
        ModelProto m = binary(
                "MatMul", List.of(longs("b", new long[] {4}, 1, 2, 3, 4)), List.of(value("a", FLOAT, 2, 3, 4)), 13);
        assertFormatError(() -> run(m, new Shape(2, 3, 4)), "matmul_0", "input 'b' int64(4)", "types differ");
    }

    @Test
    void gatherWithFloatIndicesIsRefused() {
        ModelProto m =
                binary("Gather", List.of(floats("b", new long[] {3}, 0, 1, 2)), List.of(value("a", FLOAT, 2, 3)), 13);
        assertFormatError(() -> run(m, new Shape(2, 3)), "gather_0", "input 'b' float32(3) must hold integers");
    }

    @Test
    void gatherIndicesOutOfRangeAreRefused() {
        for (long bad : new long[] {3, -4, Long.MIN_VALUE + 2}) {
            ModelProto m =
                    binary("Gather", List.of(longs("b", new long[] {2}, 0, bad)), List.of(value("a", FLOAT, 3, 5)), 13);
            assertFormatError(
                    () -> run(m, new Shape(3, 5)),
                    "gather_0",
                    "input 'b' int64(2)",
                    "outside [-3, 2] for axis 0 of input 'a' float32(3, 5)");
        }
    }

    @Test
    void softmaxCrossEntropyWithALabelPastTheClassesIsRefused() {
        ModelProto m = loss("SoftmaxCrossEntropyLoss", longs("labels", new long[] {3}, 0, 10, 1), null, 3, 5);
        assertFormatError(
                () -> run(m, new Shape(3, 5)), "softmaxcrossentropyloss_0", "labels 'labels' (3)", "outside [0, 5)");
    }

    @Test
    void softmaxCrossEntropyWithLabelsOfAnotherShapeIsRefused() {
        ModelProto m = loss("SoftmaxCrossEntropyLoss", longs("labels", new long[] {3, 5}, new long[15]), null, 3, 5, 6);
        assertFormatError(
                () -> run(m, new Shape(3, 5, 6)),
                "softmaxcrossentropyloss_0",
                "input 'labels' int64(3, 5) must be shaped as input 'scores' float32(3, 5, 6) without its class axis");
    }

    @Test
    void softmaxCrossEntropyWithAWeightPerWrongClassCountIsRefused() {
        ModelProto m = loss(
                "SoftmaxCrossEntropyLoss",
                longs("labels", new long[] {3}, 0, 1, 2),
                floats("weights", new long[] {4}, 1, 1, 1, 1),
                3,
                5);
        assertFormatError(
                () -> run(m, new Shape(3, 5)),
                "softmaxcrossentropyloss_0",
                "input 'weights' float32(4) must hold one weight per class (5)");
    }

    @Test
    void negativeLogLikelihoodWithFloatLabelsIsRefused() {
        ModelProto m = loss("NegativeLogLikelihoodLoss", floats("labels", new long[] {3}, 0, 1, 2), null, 3, 5);
        assertFormatError(
                () -> run(m, new Shape(3, 5)),
                "negativeloglikelihoodloss_0",
                "input 'labels' float32(3) must hold integer class indices");
    }

    @Test
    void negativeLogLikelihoodWithANegativeLabelIsRefused() {
        ModelProto m = loss(
                "NegativeLogLikelihoodLoss",
                longs("labels", new long[] {3, 6}, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                floats("weights", new long[] {5}, 1, 1, 1, 1, 1),
                3,
                5,
                6);
        assertFormatError(
                () -> run(m, new Shape(3, 5, 6)),
                "negativeloglikelihoodloss_0",
                "labels 'labels' (3, 6)",
                "outside [0, 5)");
    }

    @Test
    void gemmWithDifferentInnerDimsIsRefused() {
        ModelProto m = binary("Gemm", List.of(), List.of(value("a", FLOAT, 2, 3), value("b", FLOAT, 2, 3)), 13);
        assertFormatError(
                () -> run(m, new Shape(2, 3), new Shape(2, 3)),
                "gemm_0",
                "input 'a' float32(2, 3) and input 'b' float32(2, 3) have no matrix product");
    }

    @Test
    void convOfBooleansIsRefused() {
        ModelProto m = graph(
                List.of(
                        node("Equal", new String[] {"x", "x"}, new String[] {"t"}),
                        NodeProto.newBuilder(node("Conv", new String[] {"t", "t"}, new String[] {"y"}))
                                .build()),
                List.of(),
                List.of(value("x", FLOAT, 1, 1, 3, 3)),
                value("y", FLOAT),
                13);
        assertFormatError(
                () -> run(m, new Shape(1, 1, 3, 3)),
                "conv_0",
                "input 't' boolean(1, 1, 3, 3)",
                "one floating-point type");
    }

    @Test
    void elementwiseInputsThatDoNotBroadcastAreRefused() {
        ModelProto mul = binary("Mul", List.of(), List.of(value("a", FLOAT, 3, 0, 6), value("b", FLOAT, 3, 6, 6)), 13);
        assertFormatError(
                () -> run(mul, new Shape(3, 0, 6), new Shape(3, 6, 6)),
                "mul_0",
                "inputs [float32(3, 0, 6), float32(3, 6, 6)] do not broadcast");
        ModelProto prelu =
                binary("PRelu", List.of(floats("b", new long[] {3}, 1, 1, 1)), List.of(value("a", FLOAT, 2, 3, 4)), 9);
        assertFormatError(() -> run(prelu, new Shape(2, 3, 4)), "prelu_0", "do not broadcast (4 and 3 on axis -1)");
    }

    @Test
    void concatFromSequenceAxisOutOfRangeIsRefused() {
        ModelProto m = graph(
                List.of(
                        node("SplitToSequence", new String[] {"x"}, new String[] {"seq"}),
                        node("ConcatFromSequence", new String[] {"seq"}, new String[] {"y"}, intAttr("axis", 3))),
                List.of(),
                List.of(value("x", FLOAT, 2, 3)),
                value("y", FLOAT),
                12);
        assertFormatError(() -> run(m, new Shape(2, 3)), "concatfromsequence_0", "axis 3 is out of range");
    }

    @Test
    void depthToSpaceWithABlocksizeWhoseSquareOverflowsIsRefused() {
        ModelProto m = graph(
                List.of(node(
                        "DepthToSpace", new String[] {"x"}, new String[] {"y"}, intAttr("blocksize", Long.MAX_VALUE))),
                List.of(),
                List.of(value("x", FLOAT, 2, 8, 3, 3)),
                value("y", FLOAT),
                11);
        MergeNetException e = assertThrows(MergeNetException.class, () -> run(m, new Shape(2, 8, 3, 3)));
        assertTrue(
                !(e instanceof NodeExecutionException)
                        && e.getMessage().contains("depthtospace_0")
                        && e.getMessage().contains("not divisible"),
                e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    @Test
    void quantizeLinearWithAScalePerWrongAxisIsRefused() {
        ModelProto m = graph(
                List.of(node("QuantizeLinear", new String[] {"x", "scale"}, new String[] {"y"}, intAttr("axis", 3))),
                List.of(floats("scale", new long[] {3}, 1, 1, 1)),
                List.of(value("x", FLOAT, 1, 3, 3, 2)),
                value("y", TensorProto.DataType.UINT8_VALUE),
                13);
        assertFormatError(
                () -> run(m, new Shape(1, 3, 3, 2)),
                "quantizelinear_0",
                "per-axis parameter (3)",
                "axis 3 of the input (1, 3, 3, 2)");
    }

    @Test
    void batchNormalizationWithStatisticsOfAnotherSizeIsRefused() {
        ModelProto m = graph(
                List.of(node("BatchNormalization", new String[] {"x", "s", "b", "mean", "var"}, new String[] {"y"})),
                List.of(
                        floats("s", new long[] {3}, 1, 1, 1),
                        floats("b", new long[] {3}, 0, 0, 0),
                        floats("mean", new long[] {4}, 0, 0, 0, 0),
                        floats("var", new long[] {3}, 1, 1, 1)),
                List.of(value("x", FLOAT, 2, 3, 4, 4)),
                value("y", FLOAT),
                15);
        assertFormatError(
                () -> run(m, new Shape(2, 3, 4, 4)),
                "batchnormalization_0",
                "input 'mean' float32(4) must hold one value per channel of input 'x' float32(2, 3, 4, 4)");
    }

    @Test
    void constantOfShapeWithAZeroDimAndOverflowingStridesIsRefused() {
        ModelProto m = graph(
                List.of(node("ConstantOfShape", new String[] {"shape"}, new String[] {"y"})),
                List.of(longs("shape", new long[] {3}, 0, 1L << 62, 4)),
                List.of(),
                value("y", FLOAT),
                13);
        MergeNetException e = assertThrows(ResourceLimitException.class, () -> run(m));
        assertTrue(
                e.getMessage().contains("constantofshape_0") && e.getMessage().contains("64-bit"), e.getMessage());
    }

    @Test
    void lstmWithAnEmptyInitialStateIsRefused() {
        ModelProto m = graph(
                List.of(node(
                        "LSTM",
                        new String[] {"x", "w", "r", "", "", "h0"},
                        new String[] {"y"},
                        intAttr("hidden_size", 2))),
                List.of(
                        floats("w", new long[] {1, 8, 3}, new float[24]),
                        floats("r", new long[] {1, 8, 2}, new float[16]),
                        floats("h0", new long[] {0, 1, 2})),
                List.of(value("x", FLOAT, 4, 1, 3)),
                value("y", FLOAT),
                14);
        assertFormatError(
                () -> run(m, new Shape(4, 1, 3)),
                "lstm_0",
                "input 'h0' float32(0, 1, 2)",
                "1 direction(s) x batch 1 x hidden 2");
    }

    /** A loss node over graph input 'scores' of the given shape and initializer labels (and weights). */
    @Test
    void topKWithAnEmptyKIsRefused() {
        // the fuzz program's second leak in issue 19: an ArrayIndexOutOfBoundsException inside a NodeExecutionException
        ModelProto m = graph(
                List.of(node("TopK", new String[] {"x", "k"}, new String[] {"y", "i"})),
                List.of(longs("k", new long[] {0})),
                List.of(value("x", FLOAT, 3, 4)),
                value("y", FLOAT),
                11);
        assertFormatError(() -> run(m, new Shape(3, 4)), "topk_0", "input 'k' int64(0)", "exactly one value");
    }

    @Test
    void topKWithTwoValuesOfKIsRefused() {
        ModelProto m = graph(
                List.of(node("TopK", new String[] {"x", "k"}, new String[] {"y", "i"})),
                List.of(longs("k", new long[] {2}, 1, 2)),
                List.of(value("x", FLOAT, 3, 4)),
                value("y", FLOAT),
                11);
        assertFormatError(() -> run(m, new Shape(3, 4)), "topk_0", "input 'k' int64(2)", "exactly one value");
    }

    @Test
    void oneValueInputsOfOtherConvertersAreRefusedWhenEmpty() {
        ModelProto cumSum = graph(
                List.of(node("CumSum", new String[] {"x", "axis"}, new String[] {"y"})),
                List.of(longs("axis", new long[] {0})),
                List.of(value("x", FLOAT, 3, 4)),
                value("y", FLOAT),
                14);
        assertFormatError(() -> run(cumSum, new Shape(3, 4)), "cumsum_0", "input 'axis'", "exactly one value");
        ModelProto trilu = graph(
                List.of(node("Trilu", new String[] {"x", "k"}, new String[] {"y"})),
                List.of(longs("k", new long[] {3}, 1, 2, 3)),
                List.of(value("x", FLOAT, 3, 4)),
                value("y", FLOAT),
                14);
        assertFormatError(() -> run(trilu, new Shape(3, 4)), "trilu_0", "input 'k' int64(3)", "exactly one value");
        ModelProto range = graph(
                List.of(node("Range", new String[] {"s", "l", "d"}, new String[] {"y"})),
                List.of(longs("s", new long[] {0}), longs("l", new long[0], 5), longs("d", new long[0], 1)),
                List.of(),
                value("y", INT64),
                11);
        assertFormatError(() -> run(range), "range_0", "input 's'", "exactly one value");
        ModelProto oneHot = graph(
                List.of(node("OneHot", new String[] {"x", "depth", "values"}, new String[] {"y"})),
                List.of(longs("depth", new long[] {0}), floats("values", new long[] {2}, 0, 1)),
                List.of(value("x", FLOAT, 3)),
                value("y", FLOAT),
                11);
        assertFormatError(() -> run(oneHot, new Shape(3)), "onehot_0", "input 'depth'", "exactly one value");
        ModelProto clip = graph(
                List.of(node("Clip", new String[] {"x", "lo"}, new String[] {"y"})),
                List.of(floats("lo", new long[] {0})),
                List.of(value("x", FLOAT, 3)),
                value("y", FLOAT),
                13);
        assertFormatError(() -> run(clip, new Shape(3)), "clip_0", "input 'lo'", "exactly one value");
        ModelProto at = graph(
                List.of(
                        node("SplitToSequence", new String[] {"x"}, new String[] {"seq"}),
                        node("SequenceAt", new String[] {"seq", "p"}, new String[] {"y"})),
                List.of(longs("p", new long[] {0})),
                List.of(value("x", FLOAT, 3, 4)),
                value("y", FLOAT),
                12);
        assertFormatError(() -> run(at, new Shape(3, 4)), "sequenceat_0", "input 'p'", "exactly one value");
    }

    @Test
    void concatOfInputsOfDifferentRanksIsRefused() {
        // fuzz seed 101, task 4669: libtorch's "Tensors must have same number of dimensions", wrapped
        ModelProto m = graph(
                List.of(node("Concat", new String[] {"x", "b"}, new String[] {"y"}, intAttr("axis", 0))),
                List.of(floats("b", new long[] {5}, 1, 2, 3, 4, 5)),
                List.of(value("x", FLOAT, 2, 3, 4, 5)),
                value("y", FLOAT),
                17);
        assertFormatError(() -> run(m, new Shape(2, 3, 4, 5)), "concat_0", "(2, 3, 4, 5) and (5)", "differ in rank");
    }

    @Test
    void gradientWhoseSliceReachesItsOwnOutputIsRefused() throws Exception {
        // fuzz seed 102, task 6454: test_gradient_of_add_and_mul with Add's input 0 pointed at the Gradient's own
        // output 'dd_da'; preparing the slice prepared the Gradient again, until a StackOverflowError
        ModelProto original = ModelProto.parseFrom(Files.readAllBytes(
                TestData.require(TestData.ONNX_TESTDATA.resolve("simple/test_gradient_of_add_and_mul/model.onnx"))));
        GraphProto.Builder g = original.getGraph().toBuilder();
        assertTrue(g.getNode(0).getOpType().equals("Add"));
        g.setNode(0, g.getNode(0).toBuilder().setInput(0, "dd_da"));
        ModelProto m = original.toBuilder().setGraph(g).build();
        assertFormatError(
                () -> run(m), "my_gradient", "'d' depends on 'dd_da', an output of Gradient node 'my_gradient'");
    }

    @Test
    void maxPoolOfAVectorIsRefused() {
        // fuzz seed 104, task 9853: a NegativeArraySizeException for a rank-1 input (no spatial axis)
        ModelProto m = graph(
                List.of(node("MaxPool", new String[] {"x"}, new String[] {"y"}, ints("kernel_shape", 2))),
                List.of(),
                List.of(value("x", FLOAT, 3)),
                value("y", FLOAT),
                13);
        assertFormatError(() -> run(m, new Shape(3)), "maxpool_0", "input (3) must be (N, C, spatial...)");
    }

    @Test
    void convWithABiasOfTheWrongShapeIsRefused() {
        // fuzz seeds 102 and 103: libtorch's "expected bias to be 1-dimensional" in a NodeExecutionException
        ModelProto m = graph(
                List.of(node("Conv", new String[] {"x", "w", "b"}, new String[] {"y"})),
                List.of(
                        floats("w", new long[] {4, 3, 1, 1}, new float[12]),
                        floats("b", new long[] {4, 1}, 1, 2, 3, 4)),
                List.of(value("x", FLOAT, 1, 3, 5, 5)),
                value("y", FLOAT),
                11);
        assertFormatError(() -> run(m, new Shape(1, 3, 5, 5)), "conv_0", "bias (4, 1) must hold one value per 4");
    }

    @Test
    void maxUnpoolWithAnIndexPastItsOutputIsRefused() {
        // fuzz seed 105 (tasks 428, 3669, 4748, 6908): libtorch's "index 5 is out of bounds", wrapped
        ModelProto m = graph(
                List.of(node("MaxUnpool", new String[] {"x", "i"}, new String[] {"y"}, ints("kernel_shape", 1, 1))),
                List.of(longs("i", new long[] {1, 1, 2, 2}, 0, 1, 2, 5)),
                List.of(value("x", FLOAT, 1, 1, 2, 2)),
                value("y", FLOAT),
                11);
        assertFormatError(
                () -> run(m, new Shape(1, 1, 2, 2)),
                "maxunpool_0",
                "input 'i' int64(1, 1, 2, 2) does not address",
                "[1, 1, 2, 2]",
                "out of bounds");
    }

    @Test
    void aSequenceFedToATensorOpIsRefused() {
        // fuzz seeds 101 and 104 (Transpose, Squeeze, ConstantOfShape): "a sequence has no single buffer" in a
        // NodeExecutionException
        ModelProto m = graph(
                List.of(
                        node("SplitToSequence", new String[] {"x"}, new String[] {"seq"}),
                        node("Transpose", new String[] {"seq"}, new String[] {"y"})),
                List.of(),
                List.of(value("x", FLOAT, 3, 4)),
                value("y", FLOAT),
                12);
        assertFormatError(() -> run(m, new Shape(3, 4)), "transpose_0", "input 'seq' is a sequence where a tensor");
    }

    @Test
    void sequenceConstructWithAnEmptyInputIsRefused() {
        // fuzz seed 107, task 1058, at a8b9934: a NullPointerException (message "null") inside a NodeExecutionException
        ModelProto m = graph(
                List.of(
                        node("SequenceConstruct", new String[] {"x", "", "x"}, new String[] {"seq"}),
                        node("SequenceLength", new String[] {"seq"}, new String[] {"y"})),
                List.of(),
                List.of(value("x", FLOAT, 2, 3)),
                value("y", INT64),
                12);
        assertFormatError(() -> run(m, new Shape(2, 3)), "sequenceconstruct_0", "input 1 is empty");
    }

    private static ModelProto loss(String op, TensorProto labels, TensorProto weights, long... scores) {
        String[] inputs =
                weights == null ? new String[] {"scores", "labels"} : new String[] {"scores", "labels", "weights"};
        List<TensorProto> inits = weights == null ? List.of(labels) : List.of(labels, weights);
        return graph(
                List.of(node(op, inputs, new String[] {"y"})),
                inits,
                List.of(value("scores", FLOAT, scores)),
                value("y", FLOAT),
                13);
    }

    /** A two-input node 'a', 'b' -> 'y', either input a graph input or an initializer. */
    private static ModelProto binary(String op, List<TensorProto> inits, List<ValueInfoProto> inputs, int opset) {
        return graph(
                List.of(node(op, new String[] {"a", "b"}, new String[] {"y"})),
                inits,
                inputs,
                value("y", FLOAT),
                opset);
    }

    private static ModelProto convTranspose(AttributeProto attr) {
        float[] w = new float[18];
        return graph(
                List.of(node("ConvTranspose", new String[] {"x", "w"}, new String[] {"y"}, attr)),
                List.of(floats("w", new long[] {1, 2, 3, 3}, w)),
                List.of(value("x", FLOAT, 1, 1, 3, 3)),
                value("y", FLOAT),
                11);
    }

    /** Scan whose body adds each scan slice [2] to a state [2] and emits the running sum. */
    private static ModelProto scan(int opset, List<AttributeProto> attrs, String[] inputs, List<ValueInfoProto> in) {
        GraphProto body = GraphProto.newBuilder()
                .setName("body")
                .addNode(node("Add", new String[] {"s", "xs"}, new String[] {"s2"}))
                .addNode(node("Identity", new String[] {"s2"}, new String[] {"ys"}))
                .addInput(value("s", FLOAT, 2))
                .addInput(value("xs", FLOAT, 2))
                .addOutput(value("s2", FLOAT, 2))
                .addOutput(value("ys", FLOAT, 2))
                .build();
        AttributeProto bodyAttr = AttributeProto.newBuilder()
                .setName("body")
                .setType(AttributeProto.AttributeType.GRAPH)
                .setG(body)
                .build();
        NodeProto scan = NodeProto.newBuilder(node("Scan", inputs, new String[] {"sf", "y"}))
                .addAttribute(bodyAttr)
                .addAllAttribute(attrs)
                .build();
        boolean batched = opset < 9;
        TensorProto s0 = batched ? floats("s0", new long[] {1, 2}, 0, 0) : floats("s0", new long[] {2}, 0, 0);
        return graph(List.of(scan), List.of(s0, longs("lens", new long[] {1}, 7)), in, value("y", FLOAT), opset);
    }

    private static ModelProto graph(
            List<NodeProto> nodes,
            List<TensorProto> inits,
            List<ValueInfoProto> inputs,
            ValueInfoProto output,
            int opset) {
        return model(
                GraphProto.newBuilder()
                        .setName("malformed")
                        .addAllNode(nodes)
                        .addAllInitializer(inits)
                        .addAllInput(inputs)
                        .addOutput(output)
                        .build(),
                opset);
    }

    /** Imports and runs the model on zero float inputs of the given shapes. */
    static void run(ModelProto m, Shape... inputs) {
        try (NDManager manager = NDManager.newBaseManager()) {
            OnnxGraphBlock block =
                    OnnxImporter.load(OnnxModelReader.read(m.toByteArray(), "malformed.onnx", null), manager);
            NDList in = new NDList();
            for (Shape s : inputs) {
                in.add(manager.zeros(s));
            }
            block.forward(new ParameterStore(manager, false), in, false);
        }
    }

    /** The run ends in an OnnxFormatException (not a wrapped library exception) naming the file and every part. */
    static void assertFormatError(Executable run, String... parts) {
        MergeNetException e = assertThrows(MergeNetException.class, run);
        assertTrue(
                e instanceof OnnxFormatException && !(e instanceof NodeExecutionException),
                e.getClass().getSimpleName() + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith("malformed.onnx: "), "no file name: " + e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }
}
