package dev.mergenet.importers.ops.math;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** ONNX backend and PyTorch-exported cases of the math converters, run through the importer. */
class MathConformanceTest {
    /** Case folders under the ONNX test data root that the converters of this family must pass. */
    private static final String CASES = """
            node/test_abs node/test_acos node/test_acos_example node/test_acosh node/test_acosh_example
            node/test_add node/test_add_bcast node/test_add_uint8 node/test_and2d node/test_and3d node/test_and4d
            node/test_and_bcast3v1d node/test_and_bcast3v2d node/test_and_bcast4v2d node/test_and_bcast4v3d
            node/test_and_bcast4v4d node/test_asin node/test_asin_example node/test_asinh node/test_asinh_example
            node/test_atan node/test_atan_example node/test_atanh node/test_atanh_example
            node/test_bitshift_left_uint8 node/test_bitshift_right_uint8 node/test_blackmanwindow
            node/test_blackmanwindow_symmetric node/test_cast_DOUBLE_to_FLOAT node/test_cast_DOUBLE_to_FLOAT16
            node/test_cast_FLOAT16_to_DOUBLE node/test_cast_FLOAT16_to_FLOAT node/test_cast_FLOAT_to_DOUBLE
            node/test_cast_FLOAT_to_FLOAT16 node/test_castlike_DOUBLE_to_FLOAT node/test_castlike_DOUBLE_to_FLOAT16
            node/test_castlike_DOUBLE_to_FLOAT16_expanded node/test_castlike_DOUBLE_to_FLOAT_expanded
            node/test_castlike_FLOAT16_to_DOUBLE node/test_castlike_FLOAT16_to_DOUBLE_expanded
            node/test_castlike_FLOAT16_to_FLOAT node/test_castlike_FLOAT16_to_FLOAT_expanded
            node/test_castlike_FLOAT_to_DOUBLE node/test_castlike_FLOAT_to_DOUBLE_expanded
            node/test_castlike_FLOAT_to_FLOAT16 node/test_castlike_FLOAT_to_FLOAT16_expanded node/test_ceil
            node/test_ceil_example node/test_clip node/test_clip_default_inbounds
            node/test_clip_default_int8_inbounds node/test_clip_default_int8_max node/test_clip_default_int8_min
            node/test_clip_default_max node/test_clip_default_min node/test_clip_example node/test_clip_inbounds
            node/test_clip_outbounds node/test_clip_splitbounds node/test_cos node/test_cos_example node/test_cosh
            node/test_cosh_example node/test_cumsum_1d node/test_cumsum_1d_exclusive node/test_cumsum_1d_reverse
            node/test_cumsum_1d_reverse_exclusive node/test_cumsum_2d_axis_0 node/test_cumsum_2d_axis_1
            node/test_cumsum_2d_negative_axis node/test_dequantizelinear node/test_dequantizelinear_axis
            node/test_det_2d node/test_det_nd node/test_div node/test_div_bcast node/test_div_example
            node/test_div_uint8 node/test_dynamicquantizelinear node/test_dynamicquantizelinear_expanded
            node/test_dynamicquantizelinear_max_adjusted node/test_dynamicquantizelinear_max_adjusted_expanded
            node/test_dynamicquantizelinear_min_adjusted node/test_dynamicquantizelinear_min_adjusted_expanded
            node/test_einsum_batch_diagonal node/test_einsum_batch_matmul node/test_einsum_inner_prod
            node/test_einsum_sum node/test_einsum_transpose node/test_equal node/test_equal_bcast node/test_erf
            node/test_exp node/test_exp_example node/test_floor node/test_floor_example
            node/test_gemm_all_attributes node/test_gemm_alpha node/test_gemm_beta
            node/test_gemm_default_matrix_bias node/test_gemm_default_no_bias node/test_gemm_default_scalar_bias
            node/test_gemm_default_single_elem_vector_bias node/test_gemm_default_vector_bias
            node/test_gemm_default_zero_bias node/test_gemm_transposeA node/test_gemm_transposeB node/test_greater
            node/test_greater_bcast node/test_greater_equal node/test_greater_equal_bcast
            node/test_greater_equal_bcast_expanded node/test_greater_equal_expanded node/test_hammingwindow
            node/test_hammingwindow_symmetric node/test_hannwindow node/test_hannwindow_symmetric node/test_isinf
            node/test_isinf_negative node/test_isinf_positive node/test_isnan node/test_less node/test_less_bcast
            node/test_less_equal node/test_less_equal_bcast node/test_less_equal_bcast_expanded
            node/test_less_equal_expanded node/test_log node/test_log_example node/test_matmul_2d
            node/test_matmul_3d node/test_matmul_4d node/test_matmulinteger node/test_max_example
            node/test_max_float16 node/test_max_float32 node/test_max_float64 node/test_max_int32
            node/test_max_int64 node/test_max_int8 node/test_max_one_input node/test_max_two_inputs
            node/test_max_uint8 node/test_mean_example node/test_mean_one_input node/test_mean_two_inputs
            node/test_min_example node/test_min_float16 node/test_min_float32 node/test_min_float64
            node/test_min_int32 node/test_min_int64 node/test_min_int8 node/test_min_one_input
            node/test_min_two_inputs node/test_min_uint8 node/test_mod_broadcast node/test_mod_int64_fmod
            node/test_mod_mixed_sign_float16 node/test_mod_mixed_sign_float32 node/test_mod_mixed_sign_float64
            node/test_mod_mixed_sign_int32 node/test_mod_mixed_sign_int64 node/test_mod_mixed_sign_int8
            node/test_mod_uint8 node/test_mul node/test_mul_bcast node/test_mul_example node/test_mul_uint8
            node/test_neg node/test_neg_example node/test_nllloss_NC node/test_nllloss_NCd1
            node/test_nllloss_NCd1_ii node/test_nllloss_NCd1_mean_weight_negative_ii node/test_nllloss_NCd1_weight
            node/test_nllloss_NCd1_weight_ii node/test_nllloss_NCd1d2
            node/test_nllloss_NCd1d2_no_weight_reduction_mean_ii node/test_nllloss_NCd1d2_reduction_mean
            node/test_nllloss_NCd1d2_reduction_sum node/test_nllloss_NCd1d2_with_weight
            node/test_nllloss_NCd1d2_with_weight_reduction_mean node/test_nllloss_NCd1d2_with_weight_reduction_sum
            node/test_nllloss_NCd1d2_with_weight_reduction_sum_ii
            node/test_nllloss_NCd1d2d3_none_no_weight_negative_ii node/test_nllloss_NCd1d2d3_sum_weight_high_ii
            node/test_nllloss_NCd1d2d3d4d5_mean_weight node/test_nllloss_NCd1d2d3d4d5_none_no_weight
            node/test_not_2d node/test_not_3d node/test_not_4d node/test_or2d node/test_or3d node/test_or4d
            node/test_or_bcast3v1d node/test_or_bcast3v2d node/test_or_bcast4v2d node/test_or_bcast4v3d
            node/test_or_bcast4v4d node/test_pow node/test_pow_bcast_array node/test_pow_bcast_scalar
            node/test_pow_example node/test_pow_types_float node/test_pow_types_float32_int32
            node/test_pow_types_float32_int64 node/test_pow_types_int node/test_pow_types_int32_float32
            node/test_pow_types_int32_int32 node/test_pow_types_int64_float32 node/test_pow_types_int64_int64
            node/test_qlinearmatmul_2D node/test_qlinearmatmul_3D node/test_quantizelinear
            node/test_quantizelinear_axis node/test_reciprocal node/test_reciprocal_example node/test_round
            node/test_sce_NCd1_mean_weight_negative_ii node/test_sce_NCd1_mean_weight_negative_ii_log_prob
            node/test_sce_NCd1d2d3_none_no_weight_negative_ii
            node/test_sce_NCd1d2d3_none_no_weight_negative_ii_log_prob node/test_sce_NCd1d2d3_sum_weight_high_ii
            node/test_sce_NCd1d2d3_sum_weight_high_ii_log_prob node/test_sce_NCd1d2d3d4d5_mean_weight
            node/test_sce_NCd1d2d3d4d5_mean_weight_log_prob node/test_sce_NCd1d2d3d4d5_none_no_weight
            node/test_sce_NCd1d2d3d4d5_none_no_weight_log_prob node/test_sce_mean node/test_sce_mean_3d
            node/test_sce_mean_3d_log_prob node/test_sce_mean_log_prob node/test_sce_mean_no_weight_ii
            node/test_sce_mean_no_weight_ii_3d node/test_sce_mean_no_weight_ii_3d_log_prob
            node/test_sce_mean_no_weight_ii_4d node/test_sce_mean_no_weight_ii_4d_log_prob
            node/test_sce_mean_no_weight_ii_log_prob node/test_sce_mean_weight node/test_sce_mean_weight_ii
            node/test_sce_mean_weight_ii_3d node/test_sce_mean_weight_ii_3d_log_prob node/test_sce_mean_weight_ii_4d
            node/test_sce_mean_weight_ii_4d_log_prob node/test_sce_mean_weight_ii_log_prob
            node/test_sce_mean_weight_log_prob node/test_sce_none node/test_sce_none_log_prob
            node/test_sce_none_weights node/test_sce_none_weights_log_prob node/test_sce_sum
            node/test_sce_sum_log_prob node/test_sign node/test_sin node/test_sin_example node/test_sinh
            node/test_sinh_example node/test_sqrt node/test_sqrt_example node/test_sub node/test_sub_bcast
            node/test_sub_example node/test_sub_uint8 node/test_sum_example node/test_sum_one_input
            node/test_sum_two_inputs node/test_tan node/test_tan_example node/test_where_example
            node/test_where_long_example node/test_xor2d node/test_xor3d node/test_xor4d node/test_xor_bcast3v1d
            node/test_xor_bcast3v2d node/test_xor_bcast4v2d node/test_xor_bcast4v3d node/test_xor_bcast4v4d
            pytorch-converted/test_Linear pytorch-converted/test_PoissonNLLLLoss_no_reduce
            pytorch-operator/test_operator_add_broadcast pytorch-operator/test_operator_add_size1_broadcast
            pytorch-operator/test_operator_add_size1_right_broadcast
            pytorch-operator/test_operator_add_size1_singleton_broadcast pytorch-operator/test_operator_addconstant
            pytorch-operator/test_operator_addmm pytorch-operator/test_operator_basic
            pytorch-operator/test_operator_clip pytorch-operator/test_operator_exp
            pytorch-operator/test_operator_max pytorch-operator/test_operator_min pytorch-operator/test_operator_mm
            pytorch-operator/test_operator_non_float_params pytorch-operator/test_operator_params
            pytorch-operator/test_operator_pow pytorch-operator/test_operator_sqrt
            pytorch-operator/test_operator_symbolic_override_nested simple/test_sign_model
            node/test_dft node/test_dft_axis node/test_dft_inverse node/test_stft node/test_stft_with_window
            node/test_melweightmatrix
            node/test_tfidfvectorizer_tf_batch_onlybigrams_skip0 node/test_tfidfvectorizer_tf_batch_onlybigrams_skip5
            node/test_tfidfvectorizer_tf_batch_uniandbigrams_skip5 node/test_tfidfvectorizer_tf_only_bigrams_skip0
            node/test_tfidfvectorizer_tf_onlybigrams_levelempty node/test_tfidfvectorizer_tf_onlybigrams_skip5
            node/test_tfidfvectorizer_tf_uniandbigrams_skip5
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
