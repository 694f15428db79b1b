package dev.mergenet.importers.ops.activation;

import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.stringAttr;

import dev.mergenet.importers.ops.math.SingleNodeCase;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Activation converters against ONNX Runtime where the backend data is thin: the flatten-to-2-D semantics
 * of Softmax/LogSoftmax/Hardmax before opset 13, Hardmax ties, newer ops (Gelu, Mish), integer Relu.
 */
class ActivationOrtTest {
    private static final int F = 1;
    private static final int I32 = 6;

    static Stream<SingleNodeCase> cases() {
        return Stream.of(
                SingleNodeCase.of("Softmax-11-axis1", "Softmax", 11)
                        .attr(intAttr("axis", 1))
                        .uniformFloats(-3, 3, 2, 3, 4)
                        .outputs(F),
                SingleNodeCase.of("Softmax-11-default", "Softmax", 11)
                        .uniformFloats(-3, 3, 2, 3, 4)
                        .outputs(F),
                SingleNodeCase.of("LogSoftmax-11-axis0", "LogSoftmax", 11)
                        .attr(intAttr("axis", 0))
                        .uniformFloats(-3, 3, 2, 3, 2)
                        .outputs(F),
                SingleNodeCase.of("Hardmax-11-axis1", "Hardmax", 11)
                        .attr(intAttr("axis", 1))
                        .uniformFloats(-3, 3, 2, 3, 4)
                        .outputs(F),
                SingleNodeCase.of("Hardmax-13-ties", "Hardmax", 13)
                        .attr(intAttr("axis", 0))
                        .floats(new float[] {1, 2, 1, 2, 0, 2}, 2, 3)
                        .outputs(F),
                SingleNodeCase.of("Softmax-13-axis0", "Softmax", 13)
                        .attr(intAttr("axis", 0))
                        .uniformFloats(-3, 3, 2, 3, 4)
                        .outputs(F),
                SingleNodeCase.of("Gelu", "Gelu", 20).uniformFloats(-3, 3, 2, 5).outputs(F),
                SingleNodeCase.of("Gelu-tanh", "Gelu", 20)
                        .attr(stringAttr("approximate", "tanh"))
                        .uniformFloats(-3, 3, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("Mish", "Mish", 18)
                        .uniformFloats(-30, 30, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("Softplus-large", "Softplus", 1)
                        .uniformFloats(-100, 100, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("Celu", "Celu", 12)
                        .attr(floatAttr("alpha", 0.5f))
                        .uniformFloats(-3, 3, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("Relu-int32", "Relu", 14)
                        .ints(new int[] {-3, 0, 5, -1}, 4)
                        .outputs(I32),
                SingleNodeCase.of("LeakyRelu", "LeakyRelu", 16)
                        .attr(floatAttr("alpha", 0.2f))
                        .uniformFloats(-3, 3, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("PRelu-broadcast", "PRelu", 16)
                        .uniformFloats(-3, 3, 2, 3, 2)
                        .uniformFloats(0, 1, 3, 1)
                        .outputs(F),
                SingleNodeCase.of("HardSwish", "HardSwish", 14)
                        .uniformFloats(-5, 5, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("HardSigmoid", "HardSigmoid", 6)
                        .attr(floatAttr("alpha", 0.3f))
                        .attr(floatAttr("beta", 0.4f))
                        .uniformFloats(-5, 5, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("ThresholdedRelu", "ThresholdedRelu", 10)
                        .attr(floatAttr("alpha", 0.5f))
                        .uniformFloats(-2, 2, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("Shrink", "Shrink", 9)
                        .attr(floatAttr("lambd", 0.7f))
                        .attr(floatAttr("bias", 0.2f))
                        .uniformFloats(-2, 2, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("Selu", "Selu", 6).uniformFloats(-2, 2, 2, 5).outputs(F),
                SingleNodeCase.of("Elu", "Elu", 6)
                        .attr(floatAttr("alpha", 0.4f))
                        .uniformFloats(-2, 2, 2, 5)
                        .outputs(F));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(SingleNodeCase c) {
        c.assertMatchesOrt(1e-5, 1e-4);
    }
}
