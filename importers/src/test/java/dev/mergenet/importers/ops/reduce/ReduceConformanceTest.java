package dev.mergenet.importers.ops.reduce;

import dev.mergenet.importers.ops.math.ConformanceCases;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** ONNX backend and PyTorch-exported cases of the reduction converters, run through the importer. */
class ReduceConformanceTest {
    /** Case folders under the ONNX test data root that the converters of this family must pass. */
    private static final String CASES = """
            node/test_argmax_default_axis_example node/test_argmax_default_axis_example_select_last_index
            node/test_argmax_default_axis_random node/test_argmax_default_axis_random_select_last_index
            node/test_argmax_keepdims_example node/test_argmax_keepdims_example_select_last_index
            node/test_argmax_keepdims_random node/test_argmax_keepdims_random_select_last_index
            node/test_argmax_negative_axis_keepdims_example
            node/test_argmax_negative_axis_keepdims_example_select_last_index
            node/test_argmax_negative_axis_keepdims_random
            node/test_argmax_negative_axis_keepdims_random_select_last_index node/test_argmax_no_keepdims_example
            node/test_argmax_no_keepdims_example_select_last_index node/test_argmax_no_keepdims_random
            node/test_argmax_no_keepdims_random_select_last_index node/test_argmin_default_axis_example
            node/test_argmin_default_axis_example_select_last_index node/test_argmin_default_axis_random
            node/test_argmin_default_axis_random_select_last_index node/test_argmin_keepdims_example
            node/test_argmin_keepdims_example_select_last_index node/test_argmin_keepdims_random
            node/test_argmin_keepdims_random_select_last_index node/test_argmin_negative_axis_keepdims_example
            node/test_argmin_negative_axis_keepdims_example_select_last_index
            node/test_argmin_negative_axis_keepdims_random
            node/test_argmin_negative_axis_keepdims_random_select_last_index node/test_argmin_no_keepdims_example
            node/test_argmin_no_keepdims_example_select_last_index node/test_argmin_no_keepdims_random
            node/test_argmin_no_keepdims_random_select_last_index node/test_reduce_l1_default_axes_keepdims_example
            node/test_reduce_l1_default_axes_keepdims_random node/test_reduce_l1_do_not_keepdims_example
            node/test_reduce_l1_do_not_keepdims_random node/test_reduce_l1_keep_dims_example
            node/test_reduce_l1_keep_dims_random node/test_reduce_l1_negative_axes_keep_dims_example
            node/test_reduce_l1_negative_axes_keep_dims_random node/test_reduce_l2_default_axes_keepdims_example
            node/test_reduce_l2_default_axes_keepdims_random node/test_reduce_l2_do_not_keepdims_example
            node/test_reduce_l2_do_not_keepdims_random node/test_reduce_l2_keep_dims_example
            node/test_reduce_l2_keep_dims_random node/test_reduce_l2_negative_axes_keep_dims_example
            node/test_reduce_l2_negative_axes_keep_dims_random node/test_reduce_log_sum
            node/test_reduce_log_sum_asc_axes node/test_reduce_log_sum_default node/test_reduce_log_sum_desc_axes
            node/test_reduce_log_sum_exp_default_axes_keepdims_example
            node/test_reduce_log_sum_exp_default_axes_keepdims_random
            node/test_reduce_log_sum_exp_do_not_keepdims_example node/test_reduce_log_sum_exp_do_not_keepdims_random
            node/test_reduce_log_sum_exp_keepdims_example node/test_reduce_log_sum_exp_keepdims_random
            node/test_reduce_log_sum_exp_negative_axes_keepdims_example
            node/test_reduce_log_sum_exp_negative_axes_keepdims_random node/test_reduce_log_sum_negative_axes
            node/test_reduce_max_default_axes_keepdim_example node/test_reduce_max_default_axes_keepdims_random
            node/test_reduce_max_do_not_keepdims_example node/test_reduce_max_do_not_keepdims_random
            node/test_reduce_max_keepdims_example node/test_reduce_max_keepdims_random
            node/test_reduce_max_negative_axes_keepdims_example node/test_reduce_max_negative_axes_keepdims_random
            node/test_reduce_mean_default_axes_keepdims_example node/test_reduce_mean_default_axes_keepdims_random
            node/test_reduce_mean_do_not_keepdims_example node/test_reduce_mean_do_not_keepdims_random
            node/test_reduce_mean_keepdims_example node/test_reduce_mean_keepdims_random
            node/test_reduce_mean_negative_axes_keepdims_example node/test_reduce_mean_negative_axes_keepdims_random
            node/test_reduce_min_default_axes_keepdims_example node/test_reduce_min_default_axes_keepdims_random
            node/test_reduce_min_do_not_keepdims_example node/test_reduce_min_do_not_keepdims_random
            node/test_reduce_min_keepdims_example node/test_reduce_min_keepdims_random
            node/test_reduce_min_negative_axes_keepdims_example node/test_reduce_min_negative_axes_keepdims_random
            node/test_reduce_prod_default_axes_keepdims_example node/test_reduce_prod_default_axes_keepdims_random
            node/test_reduce_prod_do_not_keepdims_example node/test_reduce_prod_do_not_keepdims_random
            node/test_reduce_prod_keepdims_example node/test_reduce_prod_keepdims_random
            node/test_reduce_prod_negative_axes_keepdims_example node/test_reduce_prod_negative_axes_keepdims_random
            node/test_reduce_sum_default_axes_keepdims_example node/test_reduce_sum_default_axes_keepdims_random
            node/test_reduce_sum_do_not_keepdims_example node/test_reduce_sum_do_not_keepdims_random
            node/test_reduce_sum_empty_axes_input_noop_example node/test_reduce_sum_empty_axes_input_noop_random
            node/test_reduce_sum_keepdims_example node/test_reduce_sum_keepdims_random
            node/test_reduce_sum_negative_axes_keepdims_example node/test_reduce_sum_negative_axes_keepdims_random
            node/test_reduce_sum_square_default_axes_keepdims_example
            node/test_reduce_sum_square_default_axes_keepdims_random
            node/test_reduce_sum_square_do_not_keepdims_example node/test_reduce_sum_square_do_not_keepdims_random
            node/test_reduce_sum_square_keepdims_example node/test_reduce_sum_square_keepdims_random
            node/test_reduce_sum_square_negative_axes_keepdims_example
            node/test_reduce_sum_square_negative_axes_keepdims_random pytorch-operator/test_operator_reduced_mean
            pytorch-operator/test_operator_reduced_mean_keepdim pytorch-operator/test_operator_reduced_sum
            pytorch-operator/test_operator_reduced_sum_keepdim
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
