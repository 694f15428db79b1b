package dev.mergenet.importers.ops.reduce;

import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;

import dev.mergenet.importers.ops.math.SingleNodeCase;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autograd of every Reduce* converter (attribute and input axes) against float64 finite differences. */
class ReduceGradientTest {
    static Stream<SingleNodeCase> cases() {
        return Stream.of(
                SingleNodeCase.of("ReduceSum", 13).signed(2, 3, 2).longs(new long[] {0, -1}, 2),
                SingleNodeCase.of("ReduceSum", 11)
                        .attr(ints("axes", 1))
                        .attr(intAttr("keepdims", 0))
                        .signed(2, 3, 2),
                SingleNodeCase.of("ReduceMean", 13).attr(ints("axes", 0, 2)).signed(2, 3, 2),
                SingleNodeCase.of("ReduceMean", 18).signed(2, 3, 2).longs(new long[] {1}, 1),
                SingleNodeCase.of("ReduceProd", 13).attr(ints("axes", 1, 2)).signed(2, 3, 2),
                SingleNodeCase.of("ReduceMax", 13).attr(ints("axes", 1)).signed(2, 3, 2),
                SingleNodeCase.of("ReduceMin", 18).signed(2, 3, 2).longs(new long[] {0, 2}, 2),
                SingleNodeCase.of("ReduceL1", 13).attr(ints("axes", 2)).signed(2, 3, 2),
                SingleNodeCase.of("ReduceL2", 13).signed(2, 3, 2),
                SingleNodeCase.of("ReduceLogSum", 13).attr(ints("axes", 0)).uniform(0.5, 2, 2, 3, 2),
                SingleNodeCase.of("ReduceLogSumExp", 13).attr(ints("axes", 1)).signed(2, 3, 2),
                SingleNodeCase.of("ReduceSumSquare", 13)
                        .attr(intAttr("keepdims", 0))
                        .signed(2, 3, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void autogradMatchesFiniteDifferences(SingleNodeCase c) {
        c.check(1e-5);
    }
}
