package dev.mergenet.importers.ops.tensor;

import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.stringAttr;

import dev.mergenet.importers.testing.GradientCheck;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Autograd through each differentiable tensor converter against float64 finite differences. */
class TensorGradientTest {
    private static final double TOL = 1e-5;

    static Stream<Arguments> cases() {
        return Stream.of(
                c(13, OneNodeModel.of("Reshape").data("x", 2, 3, 4).longs("s", new long[] {4, 0, -1}, 3)),
                c(13, OneNodeModel.of("Flatten", intAttr("axis", 2)).data("x", 2, 3, 2)),
                c(13, OneNodeModel.of("Squeeze").data("x", 2, 1, 3).longs("a", new long[] {-2}, 1)),
                c(11, OneNodeModel.of("Unsqueeze", ints("axes", 0, 3)).data("x", 2, 3)),
                c(13, OneNodeModel.of("Transpose", ints("perm", 2, 0, 1)).data("x", 2, 3, 2)),
                c(
                        13,
                        OneNodeModel.of("Concat", intAttr("axis", -1))
                                .data("a", 2, 2)
                                .data("b", 2, 3)),
                c(
                        13,
                        OneNodeModel.of("Split", intAttr("axis", 1))
                                .data("x", 2, 5)
                                .longs("s", new long[] {2, 3}, 2)
                                .outputs("y0", "y1")),
                c(
                        18,
                        OneNodeModel.of("Split", intAttr("axis", 0), intAttr("num_outputs", 3))
                                .data("x", 7)
                                .outputs("y0", "y1", "y2")),
                c(
                        13,
                        OneNodeModel.of("Slice")
                                .data("x", 3, 5, 4)
                                .longs("st", new long[] {-1, 0}, 2)
                                .longs("en", new long[] {-100, 4}, 2)
                                .longs("ax", new long[] {1, 2}, 2)
                                .longs("sp", new long[] {-2, 3}, 2)),
                c(
                        1,
                        OneNodeModel.of("Slice", ints("starts", 1), ints("ends", 3), ints("axes", 0))
                                .data("x", 4, 2)),
                c(
                        13,
                        OneNodeModel.of("Gather", intAttr("axis", 1))
                                .data("x", 2, 3, 2)
                                .longs("i", new long[] {0, 2, 2, -1}, 2, 2)),
                c(
                        13,
                        OneNodeModel.of("GatherElements", intAttr("axis", 1))
                                .data("x", 2, 3)
                                .longs("i", new long[] {0, 2, 2, 1, -1, 0, 1, 1}, 2, 4)),
                c(
                        13,
                        OneNodeModel.of("GatherND", intAttr("batch_dims", 1))
                                .data("x", 2, 3, 2)
                                .longs("i", new long[] {1, 0, 2, -1}, 2, 2)),
                c(
                        16,
                        OneNodeModel.of("ScatterElements", intAttr("axis", 1), stringAttr("reduction", "add"))
                                .data("d", 2, 3)
                                .longs("i", new long[] {1, 1, 0, 2}, 2, 2)
                                .data("u", 2, 2)),
                c(
                        11,
                        OneNodeModel.of("ScatterElements", intAttr("axis", 0))
                                .data("d", 3, 2)
                                .longs("i", new long[] {2, 0}, 1, 2)
                                .data("u", 1, 2)),
                c(
                        18,
                        OneNodeModel.of("ScatterElements", intAttr("axis", 0), stringAttr("reduction", "max"))
                                .data("d", 3, 2)
                                .longs("i", new long[] {2, 0, 2, 1}, 2, 2)
                                .data("u", 2, 2)),
                c(
                        16,
                        OneNodeModel.of("ScatterND", stringAttr("reduction", "mul"))
                                .data("d", 3, 2)
                                .longs("i", new long[] {2, 0, 2}, 3, 1)
                                .data("u", 3, 2)),
                c(
                        13,
                        OneNodeModel.of("ScatterND")
                                .data("d", 2, 3)
                                .longs("i", new long[] {1, 2, 0, 0}, 2, 2)
                                .data("u", 2)),
                c(13, OneNodeModel.of("Expand").data("x", 3, 1).longs("s", new long[] {2, 1, 4}, 3)),
                c(18, OneNodeModel.of("CenterCropPad").data("x", 3, 4).longs("s", new long[] {2, 7}, 2)),
                c(13, OneNodeModel.of("Tile").data("x", 2, 3).longs("r", new long[] {2, 2}, 2)),
                c(
                        13,
                        OneNodeModel.of("Pad")
                                .data("x", 2, 3)
                                .longs("p", new long[] {1, 2, 0, 1}, 4)
                                .scalar("v", 0.5f)),
                c(
                        13,
                        OneNodeModel.of("Pad", stringAttr("mode", "reflect"))
                                .data("x", 3, 4)
                                .longs("p", new long[] {2, 3, 1, -1}, 4)),
                c(
                        13,
                        OneNodeModel.of("Pad", stringAttr("mode", "edge"))
                                .data("x", 2, 3)
                                .longs("p", new long[] {0, 2, 1, 3}, 4)),
                c(
                        19,
                        OneNodeModel.of("Pad", stringAttr("mode", "wrap"))
                                .data("x", 2, 3)
                                .longs("p", new long[] {1, 4}, 2)
                                .skip()
                                .longs("a", new long[] {-1}, 1)),
                c(
                        2,
                        OneNodeModel.of("Pad", ints("pads", 0, 1, 0, 2), floatAttr("value", 2f))
                                .data("x", 2, 2)),
                c(
                        13,
                        OneNodeModel.of("Resize", stringAttr("mode", "linear"))
                                .data("x", 1, 1, 2, 3)
                                .skip()
                                .floats("s", 1, 1, 2.5f, 1.5f)),
                c(
                        13,
                        OneNodeModel.of(
                                        "Resize",
                                        stringAttr("mode", "cubic"),
                                        stringAttr("coordinate_transformation_mode", "align_corners"))
                                .data("x", 1, 1, 3, 4)
                                .skip()
                                .skip()
                                .longs("sz", new long[] {1, 1, 5, 2}, 4)),
                c(
                        13,
                        OneNodeModel.of("Resize", stringAttr("mode", "nearest"))
                                .data("x", 1, 1, 2, 2)
                                .skip()
                                .floats("s", 1, 1, 2f, 3f)),
                c(
                        18,
                        OneNodeModel.of("Resize", stringAttr("mode", "linear"), intAttr("antialias", 1))
                                .data("x", 1, 1, 6, 5)
                                .skip()
                                .floats("s", 1, 1, 0.5f, 0.6f)),
                c(
                        9,
                        OneNodeModel.of("Upsample", stringAttr("mode", "linear"))
                                .data("x", 1, 1, 2, 2)
                                .floats("s", 1, 1, 2, 2)),
                c(
                        13,
                        OneNodeModel.of("DepthToSpace", intAttr("blocksize", 2), stringAttr("mode", "CRD"))
                                .data("x", 1, 8, 1, 2)),
                c(13, OneNodeModel.of("DepthToSpace", intAttr("blocksize", 2)).data("x", 1, 4, 2, 1)),
                c(13, OneNodeModel.of("SpaceToDepth", intAttr("blocksize", 2)).data("x", 1, 1, 4, 2)),
                c(
                        11,
                        OneNodeModel.of("TopK", intAttr("axis", 1))
                                .data("x", 2, 5)
                                .longs("k", new long[] {3}, 1)
                                .outputs("v", "i:i")),
                c(
                        14,
                        OneNodeModel.of("Trilu", intAttr("upper", 0))
                                .data("x", 3, 4)
                                .longs("k", new long[] {1})),
                c(
                        10,
                        OneNodeModel.of("ReverseSequence", intAttr("batch_axis", 0), intAttr("time_axis", 1))
                                .data("x", 2, 4)
                                .longs("l", new long[] {3, 1}, 2)),
                c(
                        11,
                        OneNodeModel.of("Compress", intAttr("axis", 1))
                                .data("x", 2, 3)
                                .bools("c", true, false, true)));
    }

    private static Arguments c(int opset, OneNodeModel m) {
        return Arguments.of(m + " @" + opset, opset, m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(String name, int opset, OneNodeModel m) {
        GradientCheck.assertGradients(m.model(opset), m.inputs(), m.allData(), TOL);
    }
}
