package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.dims;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.stringAttr;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Test;

/** Conv and ConvTranspose against ONNX Runtime on settings the conformance cases miss, and their gradients. */
class ConvolutionTest {
    private static final double ATOL = 1e-4;
    private static final double RTOL = 1e-4;

    @Test
    void conv2dWithGroupsDilationsStridesAndAsymmetricPadsMatchesOrt() {
        long[][] shapes = {dims(2, 4, 7, 8), dims(6, 2, 3, 2), dims(6)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "Conv",
                        13,
                        FLOAT,
                        shapes,
                        1,
                        intAttr("group", 2),
                        ints("dilations", 2, 1),
                        ints("strides", 1, 2),
                        ints("pads", 1, 0, 2, 1)),
                NodeCases.random(1, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
    }

    @Test
    void conv1dSameLowerAndConv3dSameUpperMatchOrt() {
        long[][] one = {dims(1, 3, 10), dims(2, 3, 4)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("Conv", 13, FLOAT, one, 1, stringAttr("auto_pad", "SAME_LOWER"), ints("strides", 3)),
                NodeCases.random(2, DataType.FLOAT32, one),
                ATOL,
                RTOL);
        long[][] three = {dims(1, 2, 5, 4, 6), dims(4, 1, 2, 3, 2)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "Conv",
                        13,
                        FLOAT,
                        three,
                        1,
                        stringAttr("auto_pad", "SAME_UPPER"),
                        intAttr("group", 2),
                        ints("strides", 2, 1, 2)),
                NodeCases.random(3, DataType.FLOAT32, three),
                ATOL,
                RTOL);
    }

    @Test
    void convTransposeWithGroupsDilationsOutputPaddingAndPadsMatchesOrt() {
        long[][] shapes = {dims(2, 4, 3, 4), dims(4, 3, 3, 2), dims(6)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model(
                        "ConvTranspose",
                        13,
                        FLOAT,
                        shapes,
                        1,
                        intAttr("group", 2),
                        ints("dilations", 2, 1),
                        ints("strides", 2, 3),
                        ints("output_padding", 1, 2),
                        ints("pads", 1, 0, 0, 2)),
                NodeCases.random(4, DataType.FLOAT32, shapes),
                ATOL,
                RTOL);
    }

    @Test
    void convTranspose1dWithOutputShapeAnd3dMatchOrt() {
        long[][] one = {dims(1, 2, 5), dims(2, 3, 3)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("ConvTranspose", 13, FLOAT, one, 1, ints("strides", 2), ints("output_shape", 12)),
                NodeCases.random(5, DataType.FLOAT32, one),
                ATOL,
                RTOL);
        long[][] three = {dims(1, 2, 2, 3, 2), dims(2, 2, 2, 2, 3)};
        OrtCheck.assertMatchesOrt(
                NodeCases.model("ConvTranspose", 13, FLOAT, three, 1, ints("strides", 1, 2, 2)),
                NodeCases.random(6, DataType.FLOAT32, three),
                ATOL,
                RTOL);
    }

    @Test
    void convTransposeAutoPadWithOddTotalPaddingMatchesOrt() {
        long[][] shapes = {dims(1, 2, 3, 4), dims(2, 1, 4, 3)};
        for (String mode : new String[] {"SAME_UPPER", "SAME_LOWER"}) {
            OrtCheck.assertMatchesOrt(
                    NodeCases.model(
                            "ConvTranspose", 13, FLOAT, shapes, 1, stringAttr("auto_pad", mode), ints("strides", 2, 3)),
                    NodeCases.random(9, DataType.FLOAT32, shapes),
                    ATOL,
                    RTOL);
        }
    }

    private static ModelProto col2im(int type, long[] input, long[] image, long[] block, AttributeProto... attrs) {
        var g = GraphProto.newBuilder()
                .setName("col2im")
                .addNode(Models.node("Col2Im", new String[] {"x", "image", "block"}, new String[] {"y"}, attrs))
                .addInitializer(Models.longs("image", dims(image.length), image))
                .addInitializer(Models.longs("block", dims(block.length), block))
                .addInput(Models.value("x", type, input))
                .addOutput(Models.value("y", type))
                .build();
        return Models.model(g, 18);
    }

    @Test
    void col2ImMatchesOrtAndPassesGradients() {
        // image 5x6, block 2x3, strides (1, 2), dilations (2, 1), pads (1, 0, 0, 1): 4 x 3 block positions.
        AttributeProto[] attrs = {ints("strides", 1, 2), ints("dilations", 2, 1), ints("pads", 1, 0, 0, 1)};
        long[] input = dims(2, 2 * 6, 12);
        OrtCheck.assertMatchesOrt(
                col2im(FLOAT, input, dims(5, 6), dims(2, 3), attrs),
                NodeCases.random(48, DataType.FLOAT32, input),
                ATOL,
                RTOL);
        GradientCheck.assertGradients(
                col2im(DOUBLE, dims(1, 4, 6), dims(3, 4), dims(2, 2)),
                NodeCases.random(49, DataType.FLOAT64, dims(1, 4, 6)),
                new int[] {0},
                1e-6);
    }

    @Test
    void channelMismatchNamesTheNode() {
        long[][] shapes = {dims(1, 3, 5, 5), dims(4, 2, 3, 3)};
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(
                    OnnxModelReader.read(
                            NodeCases.model("Conv", 13, FLOAT, shapes, 1).toByteArray()),
                    m);
            NDList in = NodeCases.random(10, DataType.FLOAT32, shapes).make(m);
            MergeNetException e =
                    assertThrows(MergeNetException.class, () -> block.forward(new ParameterStore(m, false), in, false));
            assertTrue(e.getMessage().contains("conv_0") && e.getMessage().contains("channels"), e.getMessage());
        }
    }

    @Test
    void convGradientsMatchFiniteDifferences() {
        long[][] shapes = {dims(1, 4, 5, 4), dims(4, 2, 3, 2), dims(4)};
        GradientCheck.assertGradients(
                NodeCases.model(
                        "Conv",
                        13,
                        DOUBLE,
                        shapes,
                        1,
                        intAttr("group", 2),
                        ints("strides", 2, 1),
                        ints("pads", 1, 0, 0, 1),
                        ints("dilations", 1, 2)),
                NodeCases.random(7, DataType.FLOAT64, shapes),
                new int[] {0, 1, 2},
                1e-5);
    }

    @Test
    void convTransposeGradientsMatchFiniteDifferences() {
        long[][] shapes = {dims(1, 2, 3, 2), dims(2, 2, 2, 3), dims(4)};
        GradientCheck.assertGradients(
                NodeCases.model(
                        "ConvTranspose",
                        13,
                        DOUBLE,
                        shapes,
                        1,
                        intAttr("group", 2),
                        ints("strides", 2, 1),
                        ints("pads", 1, 0, 0, 1),
                        ints("output_padding", 1, 0)),
                NodeCases.random(8, DataType.FLOAT64, shapes),
                new int[] {0, 1, 2},
                1e-5);
    }
}
