package dev.mergenet.importers.ops.nn;

import static dev.mergenet.importers.ops.nn.NodeCases.DOUBLE;
import static dev.mergenet.importers.ops.nn.NodeCases.FLOAT;
import static dev.mergenet.importers.ops.nn.NodeCases.dims;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.stringAttr;

import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.testing.GradientCheck;
import dev.mergenet.importers.testing.OrtCheck;
import org.junit.jupiter.api.Test;

/** Conv and ConvTranspose against ONNX Runtime on settings the conformance cases miss, and their gradients. */
class ConvolutionTest {
    private static final double ATOL = 1e-4;
    private static final double RTOL = 1e-4;

    @Test
    void conv2dWithGroupsDilationsStridesAndAsymmetricPadsMatchesOrt() {
        long[][] shapes = {dims(2, 4, 7, 8), dims(6, 2, 3, 2), dims(6)};
        OrtCheck.assertMatchesOrt(NodeCases.model("Conv", 13, FLOAT, shapes, 1, intAttr("group", 2),
                        ints("dilations", 2, 1), ints("strides", 1, 2), ints("pads", 1, 0, 2, 1)),
                NodeCases.random(1, DataType.FLOAT32, shapes), ATOL, RTOL);
    }

    @Test
    void conv1dSameLowerAndConv3dSameUpperMatchOrt() {
        long[][] one = {dims(1, 3, 10), dims(2, 3, 4)};
        OrtCheck.assertMatchesOrt(NodeCases.model("Conv", 13, FLOAT, one, 1, stringAttr("auto_pad", "SAME_LOWER"),
                ints("strides", 3)), NodeCases.random(2, DataType.FLOAT32, one), ATOL, RTOL);
        long[][] three = {dims(1, 2, 5, 4, 6), dims(4, 1, 2, 3, 2)};
        OrtCheck.assertMatchesOrt(NodeCases.model("Conv", 13, FLOAT, three, 1, stringAttr("auto_pad", "SAME_UPPER"),
                intAttr("group", 2), ints("strides", 2, 1, 2)), NodeCases.random(3, DataType.FLOAT32, three),
                ATOL, RTOL);
    }

    @Test
    void convTransposeWithGroupsDilationsOutputPaddingAndPadsMatchesOrt() {
        long[][] shapes = {dims(2, 4, 3, 4), dims(4, 3, 3, 2), dims(6)};
        OrtCheck.assertMatchesOrt(NodeCases.model("ConvTranspose", 13, FLOAT, shapes, 1, intAttr("group", 2),
                        ints("dilations", 2, 1), ints("strides", 2, 3), ints("output_padding", 1, 2),
                        ints("pads", 1, 0, 0, 2)),
                NodeCases.random(4, DataType.FLOAT32, shapes), ATOL, RTOL);
    }

    @Test
    void convTranspose1dWithOutputShapeAnd3dMatchOrt() {
        long[][] one = {dims(1, 2, 5), dims(2, 3, 3)};
        OrtCheck.assertMatchesOrt(NodeCases.model("ConvTranspose", 13, FLOAT, one, 1, ints("strides", 2),
                ints("output_shape", 12)), NodeCases.random(5, DataType.FLOAT32, one), ATOL, RTOL);
        long[][] three = {dims(1, 2, 2, 3, 2), dims(2, 2, 2, 2, 3)};
        OrtCheck.assertMatchesOrt(NodeCases.model("ConvTranspose", 13, FLOAT, three, 1, ints("strides", 1, 2, 2)),
                NodeCases.random(6, DataType.FLOAT32, three), ATOL, RTOL);
    }

    @Test
    void convGradientsMatchFiniteDifferences() {
        long[][] shapes = {dims(1, 4, 5, 4), dims(4, 2, 3, 2), dims(4)};
        GradientCheck.assertGradients(NodeCases.model("Conv", 13, DOUBLE, shapes, 1, intAttr("group", 2),
                        ints("strides", 2, 1), ints("pads", 1, 0, 0, 1), ints("dilations", 1, 2)),
                NodeCases.random(7, DataType.FLOAT64, shapes), new int[] {0, 1, 2}, 1e-5);
    }

    @Test
    void convTransposeGradientsMatchFiniteDifferences() {
        long[][] shapes = {dims(1, 2, 3, 2), dims(2, 2, 2, 3), dims(4)};
        GradientCheck.assertGradients(NodeCases.model("ConvTranspose", 13, DOUBLE, shapes, 1, intAttr("group", 2),
                        ints("strides", 2, 1), ints("pads", 1, 0, 0, 1), ints("output_padding", 1, 0)),
                NodeCases.random(8, DataType.FLOAT64, shapes), new int[] {0, 1, 2}, 1e-5);
    }
}
