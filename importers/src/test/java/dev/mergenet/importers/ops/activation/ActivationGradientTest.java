package dev.mergenet.importers.ops.activation;

import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.stringAttr;

import dev.mergenet.importers.ops.math.SingleNodeCase;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autograd of every differentiable activation converter against float64 finite differences. */
class ActivationGradientTest {
    static Stream<SingleNodeCase> cases() {
        return Stream.of(
                SingleNodeCase.of("Relu", 14).signed(2, 3),
                SingleNodeCase.of("LeakyRelu", 16)
                        .attr(floatAttr("alpha", 0.1f))
                        .signed(2, 3),
                SingleNodeCase.of("PRelu", 16).signed(2, 3, 2).signed(3, 1),
                SingleNodeCase.of("PRelu-6-per-channel", "PRelu", 6)
                        .signed(2, 3, 2)
                        .signed(3),
                SingleNodeCase.of("Elu", 6).attr(floatAttr("alpha", 0.7f)).signed(2, 3),
                SingleNodeCase.of("Selu", 6).signed(2, 3),
                SingleNodeCase.of("Celu", 12).attr(floatAttr("alpha", 2f)).signed(2, 3),
                SingleNodeCase.of("ThresholdedRelu", 10)
                        .attr(floatAttr("alpha", 0.1f))
                        .signed(2, 3),
                SingleNodeCase.of("Sigmoid", 13).signed(2, 3),
                SingleNodeCase.of("HardSigmoid", 6)
                        .attr(floatAttr("alpha", 0.3f))
                        .signed(2, 3),
                SingleNodeCase.of("HardSwish", 14).uniform(-2.9, 2.9, 2, 3),
                SingleNodeCase.of("Tanh", 13).signed(2, 3),
                SingleNodeCase.of("Softplus", 1).signed(2, 3),
                SingleNodeCase.of("Softsign", 1).signed(2, 3),
                SingleNodeCase.of("Shrink", 9)
                        .attr(floatAttr("lambd", 0.1f))
                        .attr(floatAttr("bias", 0.05f))
                        .signed(2, 3),
                SingleNodeCase.of("Mish", 18).signed(2, 3),
                SingleNodeCase.of("Gelu", 20).signed(2, 3),
                SingleNodeCase.of("Gelu-tanh", "Gelu", 20)
                        .attr(stringAttr("approximate", "tanh"))
                        .signed(2, 3),
                SingleNodeCase.of("Softmax", 13).attr(intAttr("axis", 1)).signed(2, 3, 2),
                SingleNodeCase.of("Softmax", 11).attr(intAttr("axis", 1)).signed(2, 3, 2),
                SingleNodeCase.of("LogSoftmax", 13).signed(2, 3),
                SingleNodeCase.of("LogSoftmax", 1).attr(intAttr("axis", 1)).signed(2, 2, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void autogradMatchesFiniteDifferences(SingleNodeCase c) {
        c.check(1e-5);
    }
}
