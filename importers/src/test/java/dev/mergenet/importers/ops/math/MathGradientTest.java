package dev.mergenet.importers.ops.math;

import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.stringAttr;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autograd of every differentiable math converter against float64 finite differences. */
class MathGradientTest {
    static Stream<SingleNodeCase> cases() {
        return Stream.of(
                SingleNodeCase.of("Abs", 13).signed(2, 3),
                SingleNodeCase.of("Neg", 13).signed(2, 3),
                SingleNodeCase.of("Exp", 13).signed(2, 3),
                SingleNodeCase.of("Log", 13).uniform(0.5, 2, 2, 3),
                SingleNodeCase.of("Sqrt", 13).uniform(0.5, 2, 2, 3),
                SingleNodeCase.of("Reciprocal", 13).uniform(0.5, 2, 2, 3),
                SingleNodeCase.of("Floor", 13).values(new double[] {-1.7, -0.2, 0.4, 2.5}, 4),
                SingleNodeCase.of("Ceil", 13).values(new double[] {-1.7, -0.2, 0.4, 2.5}, 4),
                SingleNodeCase.of("Round", 11).values(new double[] {-1.7, -0.2, 0.4, 2.3}, 4),
                SingleNodeCase.of("Sign", 13).signed(2, 3),
                SingleNodeCase.of("Sin", 7).signed(2, 3),
                SingleNodeCase.of("Cos", 7).signed(2, 3),
                SingleNodeCase.of("Tan", 7).signed(2, 3),
                SingleNodeCase.of("Asin", 7).uniform(-0.8, 0.8, 2, 3),
                SingleNodeCase.of("Acos", 7).uniform(-0.8, 0.8, 2, 3),
                SingleNodeCase.of("Atan", 7).signed(2, 3),
                SingleNodeCase.of("Sinh", 9).signed(2, 3),
                SingleNodeCase.of("Cosh", 9).signed(2, 3),
                SingleNodeCase.of("Asinh", 9).signed(2, 3),
                SingleNodeCase.of("Acosh", 9).uniform(1.5, 3, 2, 3),
                SingleNodeCase.of("Atanh", 9).uniform(-0.8, 0.8, 2, 3),
                SingleNodeCase.of("Erf", 13).signed(2, 3),
                SingleNodeCase.of("Add", 14).signed(2, 3).signed(3),
                SingleNodeCase.of("Add-6-legacy-axis", "Add", 6)
                        .attr(intAttr("broadcast", 1))
                        .attr(intAttr("axis", 0))
                        .signed(2, 3)
                        .signed(2),
                SingleNodeCase.of("Sub", 14).signed(2, 3).signed(2, 1),
                SingleNodeCase.of("Mul", 14).signed(2, 3).signed(2, 3),
                SingleNodeCase.of("Div", 14).signed(2, 3).uniform(0.5, 2, 3),
                SingleNodeCase.of("Pow", 15).uniform(0.5, 2, 2, 3).signed(2, 3),
                SingleNodeCase.of("Mod", 13)
                        .attr(intAttr("fmod", 1))
                        .uniform(-3, 3, 2, 3)
                        .fixed(new double[] {0.7, -1.3, 0.9}, 3),
                SingleNodeCase.of("Max", 13).signed(2, 3).signed(3).signed(2, 1),
                SingleNodeCase.of("Min", 13).signed(2, 3).signed(3),
                SingleNodeCase.of("Sum", 13).signed(2, 3).signed(3).signed(1),
                SingleNodeCase.of("Mean", 13).signed(2, 3).signed(2, 3),
                SingleNodeCase.of("Where", 16)
                        .longs(new long[] {1, 0, 1}, 3)
                        .signed(2, 3)
                        .signed(3),
                SingleNodeCase.of("Clip", 13)
                        .signed(2, 3)
                        .fixed(new double[] {-0.5})
                        .fixed(new double[] {0.5}),
                SingleNodeCase.of("Clip-13-bounds", "Clip", 13)
                        .uniform(-3, 3, 2, 3)
                        .uniform(-0.5, -0.3)
                        .uniform(0.3, 0.5),
                SingleNodeCase.of("Clip", 6)
                        .attr(floatAttr("min", -0.5f))
                        .attr(floatAttr("max", 0.5f))
                        .signed(2, 3),
                SingleNodeCase.of("Cast", 13).attr(intAttr("to", 11)).signed(2, 3),
                SingleNodeCase.of("CastLike", 15).signed(2, 3).fixed(new double[] {0}, 1),
                SingleNodeCase.of("MatMul", 13).signed(2, 2, 3).signed(3, 4),
                SingleNodeCase.of("MatMul-vector", "MatMul", 13).signed(3).signed(3, 2),
                SingleNodeCase.of("Gemm", 13)
                        .attr(floatAttr("alpha", 0.5f))
                        .attr(floatAttr("beta", 2f))
                        .attr(intAttr("transA", 1))
                        .attr(intAttr("transB", 1))
                        .signed(3, 2)
                        .signed(4, 3)
                        .signed(4),
                SingleNodeCase.of("Einsum-matmul", "Einsum", 12)
                        .attr(stringAttr("equation", "bij,bjk->bik"))
                        .signed(2, 2, 3)
                        .signed(2, 3, 2),
                SingleNodeCase.of("Einsum-diagonal", "Einsum", 12)
                        .attr(stringAttr("equation", "...ii->...i"))
                        .signed(2, 3, 3),
                SingleNodeCase.of("Einsum-implicit", "Einsum", 12)
                        .attr(stringAttr("equation", "ij,jk"))
                        .signed(2, 3)
                        .signed(3, 2),
                SingleNodeCase.of("CumSum", 14)
                        .attr(intAttr("exclusive", 1))
                        .attr(intAttr("reverse", 1))
                        .signed(2, 3)
                        .longs(new long[] {1}),
                SingleNodeCase.of("Det", 11).signed(2, 3, 3),
                SingleNodeCase.of("DFT", 17).attr(intAttr("axis", 1)).signed(2, 5, 2),
                SingleNodeCase.of("DFT-inverse-padded", "DFT", 17)
                        .attr(intAttr("inverse", 1))
                        .signed(1, 3, 2, 2)
                        .longs(new long[] {4}),
                SingleNodeCase.of("STFT", 17)
                        .signed(1, 10, 1)
                        .longs(new long[] {3})
                        .signed(4),
                SingleNodeCase.of("NegativeLogLikelihoodLoss", 13)
                        .attr(intAttr("ignore_index", 1))
                        .signed(3, 4, 2)
                        .longs(new long[] {0, 1, 3, 2, 1, 0}, 3, 2)
                        .uniform(0.5, 1.5, 4),
                SingleNodeCase.of("NegativeLogLikelihoodLoss-sum", "NegativeLogLikelihoodLoss", 13)
                        .attr(stringAttr("reduction", "sum"))
                        .signed(3, 4)
                        .longs(new long[] {0, 3, 2}, 3),
                SingleNodeCase.of("SoftmaxCrossEntropyLoss", 13)
                        .attr(stringAttr("reduction", "none"))
                        .signed(3, 4, 2)
                        .longs(new long[] {0, 1, 3, 2, 1, 0}, 3, 2)
                        .uniform(0.5, 1.5, 4)
                        .outputCount(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void autogradMatchesFiniteDifferences(SingleNodeCase c) {
        c.check(1e-5);
    }
}
