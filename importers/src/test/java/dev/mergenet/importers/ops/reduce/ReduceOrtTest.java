package dev.mergenet.importers.ops.reduce;

import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;

import dev.mergenet.importers.ops.math.SingleNodeCase;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reductions against ONNX Runtime beyond the backend data: opset 18 axes inputs and noop_with_empty_axes,
 * integer types (which keep their type), -inf in ReduceLogSumExp, ArgMin ties with select_last_index.
 */
class ReduceOrtTest {
    private static final int F = 1;
    private static final int I32 = 6;
    private static final int I64 = 7;

    static Stream<SingleNodeCase> cases() {
        return Stream.of(
                SingleNodeCase.of("ReduceMean-18-axes", "ReduceMean", 18)
                        .uniformFloats(-1, 1, 2, 3, 4)
                        .longs(new long[] {-1, 0}, 2)
                        .outputs(F),
                SingleNodeCase.of("ReduceMean-18-noop", "ReduceMean", 18)
                        .attr(intAttr("noop_with_empty_axes", 1))
                        .uniformFloats(-1, 1, 2, 3)
                        .longs(new long[0], 0)
                        .outputs(F),
                SingleNodeCase.of("ReduceL2-18-all", "ReduceL2", 18)
                        .attr(intAttr("keepdims", 0))
                        .uniformFloats(-1, 1, 2, 3)
                        .outputs(F),
                SingleNodeCase.of("ReduceSum-int32", "ReduceSum", 13)
                        .attr(intAttr("keepdims", 0))
                        .ints(new int[] {1, -2, 3, 4, 5, -6}, 2, 3)
                        .longs(new long[] {1}, 1)
                        .outputs(I32),
                SingleNodeCase.of("ReduceProd-int64", "ReduceProd", 13)
                        .attr(ints("axes", 0))
                        .longs(new long[] {1, -2, 3, 4, 5, -6}, 2, 3)
                        .outputs(I64),
                SingleNodeCase.of("ReduceMax-int32-multi-axes", "ReduceMax", 13)
                        .attr(ints("axes", 0, 2))
                        .ints(new int[] {1, -2, 3, 4, 5, -6, 7, 0}, 2, 2, 2)
                        .outputs(I32),
                SingleNodeCase.of("ReduceMin-11-negative-axis", "ReduceMin", 11)
                        .attr(ints("axes", -2))
                        .uniformFloats(-1, 1, 2, 3, 2)
                        .outputs(F),
                SingleNodeCase.of("ReduceLogSumExp-neg-inf", "ReduceLogSumExp", 13)
                        .attr(ints("axes", 1))
                        .floats(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 1000, 999}, 2, 2)
                        .outputs(F),
                SingleNodeCase.of("ReduceSumSquare-18", "ReduceSumSquare", 18)
                        .uniformFloats(-1, 1, 2, 3)
                        .longs(new long[] {1}, 1)
                        .outputs(F),
                SingleNodeCase.of("ArgMin-12-last-ties", "ArgMin", 12)
                        .attr(intAttr("axis", 1))
                        .attr(intAttr("select_last_index", 1))
                        .ints(new int[] {1, 0, 0, 2, 2, 2}, 2, 3)
                        .outputs(I64),
                SingleNodeCase.of("ArgMax-11-no-keepdims", "ArgMax", 11)
                        .attr(intAttr("keepdims", 0))
                        .ints(new int[] {1, 5, 5, 2, 2, 7}, 2, 3)
                        .outputs(I64));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(SingleNodeCase c) {
        c.assertMatchesOrt(1e-5, 1e-4);
    }
}
