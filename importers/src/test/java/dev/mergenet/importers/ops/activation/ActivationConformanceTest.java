package dev.mergenet.importers.ops.activation;

import dev.mergenet.importers.ops.math.ConformanceCases;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** ONNX backend and PyTorch-exported cases of the activation converters, run through the importer. */
class ActivationConformanceTest {
    /** Case folders under the ONNX test data root that the converters of this family must pass. */
    private static final String CASES = """
            node/test_celu node/test_celu_expanded node/test_elu node/test_elu_default node/test_elu_example
            node/test_hardmax_axis_0 node/test_hardmax_axis_1 node/test_hardmax_axis_2
            node/test_hardmax_default_axis node/test_hardmax_example node/test_hardmax_negative_axis
            node/test_hardmax_one_hot node/test_hardsigmoid node/test_hardsigmoid_default
            node/test_hardsigmoid_example node/test_hardswish node/test_hardswish_expanded node/test_leakyrelu
            node/test_leakyrelu_default node/test_leakyrelu_example node/test_logsoftmax_axis_0
            node/test_logsoftmax_axis_0_expanded node/test_logsoftmax_axis_1 node/test_logsoftmax_axis_1_expanded
            node/test_logsoftmax_axis_2 node/test_logsoftmax_axis_2_expanded node/test_logsoftmax_default_axis
            node/test_logsoftmax_default_axis_expanded node/test_logsoftmax_example_1
            node/test_logsoftmax_example_1_expanded node/test_logsoftmax_large_number
            node/test_logsoftmax_large_number_expanded node/test_logsoftmax_negative_axis
            node/test_logsoftmax_negative_axis_expanded node/test_prelu_broadcast node/test_prelu_example
            node/test_relu node/test_selu node/test_selu_default node/test_selu_example node/test_shrink_hard
            node/test_shrink_soft node/test_sigmoid node/test_sigmoid_example node/test_softmax_axis_0
            node/test_softmax_axis_0_expanded node/test_softmax_axis_1 node/test_softmax_axis_1_expanded
            node/test_softmax_axis_2 node/test_softmax_axis_2_expanded node/test_softmax_default_axis
            node/test_softmax_default_axis_expanded node/test_softmax_example node/test_softmax_example_expanded
            node/test_softmax_large_number node/test_softmax_large_number_expanded node/test_softmax_negative_axis
            node/test_softmax_negative_axis_expanded node/test_softplus node/test_softplus_example
            node/test_softsign node/test_softsign_example node/test_tanh node/test_tanh_example
            node/test_thresholdedrelu node/test_thresholdedrelu_default node/test_thresholdedrelu_example
            pytorch-converted/test_ELU pytorch-converted/test_LeakyReLU pytorch-converted/test_LeakyReLU_with_negval
            pytorch-converted/test_LogSoftmax pytorch-converted/test_PReLU_1d
            pytorch-converted/test_PReLU_1d_multiparam pytorch-converted/test_PReLU_2d
            pytorch-converted/test_PReLU_2d_multiparam pytorch-converted/test_PReLU_3d
            pytorch-converted/test_PReLU_3d_multiparam pytorch-converted/test_ReLU pytorch-converted/test_SELU
            pytorch-converted/test_Sigmoid pytorch-converted/test_Softmax pytorch-converted/test_Softmin
            pytorch-converted/test_Softplus pytorch-converted/test_Softsign pytorch-converted/test_Tanh
            pytorch-converted/test_log_softmax_dim3 pytorch-converted/test_log_softmax_lastdim
            pytorch-converted/test_softmax_functional_dim3 pytorch-converted/test_softmax_lastdim
            pytorch-operator/test_operator_selu simple/test_shrink simple/test_single_relu_model
            """;

    static Stream<String> cases() {
        return ConformanceCases.parse(CASES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void passes(String relativePath) {
        ConformanceCases.assertPasses(relativePath);
    }
}
