package dev.mergenet.importers.ops.math;

import static dev.mergenet.importers.testing.Models.floatAttr;
import static dev.mergenet.importers.testing.Models.intAttr;
import static dev.mergenet.importers.testing.Models.ints;
import static dev.mergenet.importers.testing.Models.stringAttr;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.onnx.Onnx.AttributeProto;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Math converters against ONNX Runtime on what the backend test data leaves out: integer division and
 * modulo signs, mixed Pow types, integer Clip, per-axis quantization, bit operations, Einsum forms, Det.
 */
class MathOrtTest {
    private static final int F = 1;
    private static final int U8 = 2;
    private static final int I8 = 3;
    private static final int I32 = 6;
    private static final int I64 = 7;
    private static final int B = 9;
    private static final int D = 11;

    static Stream<SingleNodeCase> cases() {
        int[] a = {-7, 7, -7, 9, 0, -1};
        int[] b = {2, -2, -3, 4, 5, 3};
        return Stream.of(
                SingleNodeCase.of("Div-int32", "Div", 14)
                        .ints(a, 2, 3)
                        .ints(b, 2, 3)
                        .outputs(I32),
                SingleNodeCase.of("Mod-int32", "Mod", 13)
                        .ints(a, 2, 3)
                        .ints(b, 2, 3)
                        .outputs(I32),
                SingleNodeCase.of("Mod-int32-fmod", "Mod", 13)
                        .attr(intAttr("fmod", 1))
                        .ints(a, 2, 3)
                        .ints(b, 2, 3)
                        .outputs(I32),
                SingleNodeCase.of("Mod-float-fmod", "Mod", 13)
                        .attr(intAttr("fmod", 1))
                        .uniformFloats(-5, 5, 2, 3)
                        .floats(new float[] {1.5f, -2f, 0.7f}, 3)
                        .outputs(F),
                SingleNodeCase.of("Pow-float-int64", "Pow", 15)
                        .uniformFloats(-2, 2, 2, 3)
                        .longs(new long[] {2, 3, 0}, 3)
                        .outputs(F),
                SingleNodeCase.of("Pow-int32-int32", "Pow", 15)
                        .ints(new int[] {2, -3, 4}, 3)
                        .ints(new int[] {3, 3, 2}, 3)
                        .outputs(I32),
                SingleNodeCase.of("Clip-int32", "Clip", 13)
                        .ints(a, 2, 3)
                        .ints(new int[] {-2})
                        .ints(new int[] {5})
                        .outputs(I32),
                SingleNodeCase.of("Clip-min-only", "Clip", 13)
                        .uniformFloats(-2, 2, 2, 3)
                        .floats(new float[] {-0.5f})
                        .outputs(F),
                SingleNodeCase.of("Sign-int32", "Sign", 13).ints(a, 2, 3).outputs(I32),
                SingleNodeCase.of("Abs-int64", "Abs", 13)
                        .longs(new long[] {-3, 4, 0}, 3)
                        .outputs(I64),
                SingleNodeCase.of("Round-half-even", "Round", 11)
                        .floats(new float[] {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f}, 6)
                        .outputs(F),
                SingleNodeCase.of("Sum-broadcast", "Sum", 13)
                        .uniformFloats(-1, 1, 2, 3)
                        .uniformFloats(-1, 1, 3)
                        .uniformFloats(-1, 1, 2, 1)
                        .outputs(F),
                SingleNodeCase.of("Mean-broadcast", "Mean", 13)
                        .uniformFloats(-1, 1, 2, 3)
                        .uniformFloats(-1, 1, 1, 3)
                        .outputs(F),
                SingleNodeCase.of("Max-int32", "Max", 13)
                        .ints(a, 2, 3)
                        .ints(new int[] {0, 1, 2}, 3)
                        .outputs(I32),
                SingleNodeCase.of("GreaterOrEqual-int64", "GreaterOrEqual", 16)
                        .longs(new long[] {1, 2, 3}, 3)
                        .longs(new long[] {2}, 1)
                        .outputs(B),
                SingleNodeCase.of("Where-broadcast", "Where", 16)
                        .input(B, m -> m.create(new boolean[] {true, false, true}, new Shape(3)))
                        .uniformFloats(-1, 1, 2, 1)
                        .uniformFloats(-1, 1, 1)
                        .outputs(F),
                SingleNodeCase.of("IsInf-positive", "IsInf", 10)
                        .attr(intAttr("detect_negative", 0))
                        .floats(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, Float.NaN}, 4)
                        .outputs(B),
                SingleNodeCase.of("IsNaN", "IsNaN", 13)
                        .floats(new float[] {Float.NaN, 1f, Float.POSITIVE_INFINITY}, 3)
                        .outputs(B),
                SingleNodeCase.of("Cast-float-int32", "Cast", 13)
                        .attr(intAttr("to", I32))
                        .floats(new float[] {-2.7f, 2.7f, -0.2f, 100.5f}, 4)
                        .outputs(I32),
                SingleNodeCase.of("Cast-int-bool", "Cast", 13)
                        .attr(intAttr("to", B))
                        .ints(new int[] {0, 3, -1}, 3)
                        .outputs(B),
                SingleNodeCase.of("Cast-bool-float", "Cast", 13)
                        .attr(intAttr("to", F))
                        .input(B, m -> m.create(new boolean[] {true, false}, new Shape(2)))
                        .outputs(F),
                SingleNodeCase.of("CastLike-double", "CastLike", 15)
                        .uniformFloats(-1, 1, 2, 2)
                        .fixed(new double[] {0}, 1)
                        .outputs(D),
                SingleNodeCase.of("Gemm-scalar-C", "Gemm", 13)
                        .attr(intAttr("transA", 1))
                        .attr(floatAttr("beta", 0.5f))
                        .uniformFloats(-1, 1, 3, 2)
                        .uniformFloats(-1, 1, 3, 4)
                        .floats(new float[] {0.25f})
                        .outputs(F),
                SingleNodeCase.of("MatMul-broadcast", "MatMul", 13)
                        .uniformFloats(-1, 1, 2, 1, 2, 3)
                        .uniformFloats(-1, 1, 3, 3, 2)
                        .outputs(F),
                SingleNodeCase.of("Einsum-outer", "Einsum", 12)
                        .attr(stringAttr("equation", "i,j->ij"))
                        .uniformFloats(-1, 1, 3)
                        .uniformFloats(-1, 1, 4)
                        .outputs(F),
                SingleNodeCase.of("Einsum-trace", "Einsum", 12)
                        .attr(stringAttr("equation", "ii"))
                        .uniformFloats(-1, 1, 3, 3)
                        .outputs(F),
                SingleNodeCase.of("Einsum-contract", "Einsum", 12)
                        .attr(stringAttr("equation", "bij,jk,bk->bi"))
                        .uniformFloats(-1, 1, 2, 3, 4)
                        .uniformFloats(-1, 1, 4, 5)
                        .uniformFloats(-1, 1, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("Einsum-ellipsis-broadcast", "Einsum", 12)
                        .attr(stringAttr("equation", "...ij,...jk"))
                        .uniformFloats(-1, 1, 2, 1, 2, 3)
                        .uniformFloats(-1, 1, 1, 3, 3, 2)
                        .outputs(F),
                SingleNodeCase.of("Einsum-attention", "Einsum", 12)
                        .attr(stringAttr("equation", "bhqd,bhkd->bhqk"))
                        .uniformFloats(-1, 1, 2, 3, 4, 5)
                        .uniformFloats(-1, 1, 2, 3, 6, 5)
                        .outputs(F),
                SingleNodeCase.of("Einsum-sum-one-side", "Einsum", 12)
                        .attr(stringAttr("equation", "ijk,jl->il"))
                        .uniformFloats(-1, 1, 2, 3, 4)
                        .uniformFloats(-1, 1, 3, 5)
                        .outputs(F),
                SingleNodeCase.of("Einsum-int", "Einsum", 12)
                        .attr(stringAttr("equation", "ij,jk->ik"))
                        .longs(new long[] {1, -2, 3, 4, 5, 6}, 2, 3)
                        .longs(new long[] {1, 2, 3, 4, 5, 6}, 3, 2)
                        .outputs(I64),
                SingleNodeCase.of("Det-4x4", "Det", 11)
                        .uniformFloats(-1, 1, 3, 4, 4)
                        .outputs(F),
                SingleNodeCase.of("Det-singular", "Det", 11)
                        .floats(new float[] {1, 2, 2, 4, 0, 1, 1, 0}, 2, 2, 2)
                        .outputs(F),
                SingleNodeCase.of("CumSum-int32", "CumSum", 14)
                        .attr(intAttr("exclusive", 1))
                        .ints(a, 2, 3)
                        .longs(new long[] {-1})
                        .outputs(I32),
                SingleNodeCase.of("QuantizeLinear-per-axis-int8", "QuantizeLinear", 13)
                        .attr(intAttr("axis", 1))
                        .uniformFloats(-20, 20, 2, 3, 2)
                        .floats(new float[] {0.1f, 0.2f, 0.3f}, 3)
                        .input(I8, m -> m.create(new byte[] {0, -3, 4}, new Shape(3)))
                        .outputs(I8),
                SingleNodeCase.of("QuantizeLinear-21-output-dtype", "QuantizeLinear", 21)
                        .attr(intAttr("output_dtype", I8))
                        .uniformFloats(-20, 20, 2, 3)
                        .floats(new float[] {0.25f})
                        .outputs(I8),
                SingleNodeCase.of("DequantizeLinear-19-scalar", "DequantizeLinear", 19)
                        .input(I8, m -> m.create(new byte[] {-128, -1, 0, 5, 127, 64}, new Shape(2, 3)))
                        .floats(new float[] {0.125f})
                        .input(I8, m -> m.create((byte) 3))
                        .outputs(F),
                SingleNodeCase.of("DequantizeLinear-per-axis", "DequantizeLinear", 13)
                        .attr(intAttr("axis", 0))
                        .input(
                                U8,
                                m -> m.create(new int[] {0, 10, 200, 255}, new Shape(2, 2))
                                        .toType(DataType.UINT8, false))
                        .floats(new float[] {0.5f, 2f}, 2)
                        .input(
                                U8,
                                m -> m.create(new int[] {3, 128}, new Shape(2)).toType(DataType.UINT8, false))
                        .outputs(F),
                SingleNodeCase.of("MatMulInteger-zero-points", "MatMulInteger", 10)
                        .input(
                                U8,
                                m -> m.create(new int[] {1, 200, 3, 255, 0, 9}, new Shape(2, 3))
                                        .toType(DataType.UINT8, false))
                        .input(
                                U8,
                                m -> m.create(new int[] {5, 6, 70, 8, 9, 250}, new Shape(3, 2))
                                        .toType(DataType.UINT8, false))
                        .input(U8, m -> m.create(12).toType(DataType.UINT8, false))
                        .input(
                                U8,
                                m -> m.create(new int[] {1, 200}, new Shape(2)).toType(DataType.UINT8, false))
                        .outputs(I32),
                SingleNodeCase.of("BitShift-left-uint8", "BitShift", 11)
                        .attr(stringAttr("direction", "LEFT"))
                        .input(
                                U8,
                                m -> m.create(new int[] {1, 200, 3}, new Shape(3))
                                        .toType(DataType.UINT8, false))
                        .input(
                                U8,
                                m -> m.create(new int[] {1, 1, 7}, new Shape(3)).toType(DataType.UINT8, false))
                        .outputs(U8),
                SingleNodeCase.of("BitwiseAnd-int32", "BitwiseAnd", 18)
                        .ints(a, 2, 3)
                        .ints(new int[] {6, -2, 1}, 3)
                        .outputs(I32),
                SingleNodeCase.of("BitwiseXor-int64", "BitwiseXor", 18)
                        .longs(new long[] {5, -9, 1L << 40}, 3)
                        .longs(new long[] {3}, 1)
                        .outputs(I64),
                SingleNodeCase.of("BitwiseNot-int8", "BitwiseNot", 18)
                        .input(I8, m -> m.create(new byte[] {0, 5, -128, 127}, new Shape(4)))
                        .outputs(I8),
                SingleNodeCase.of("DFT-onesided-truncated", "DFT", 17)
                        .attr(intAttr("onesided", 1))
                        .attr(intAttr("axis", 2))
                        .uniformFloats(-1, 1, 2, 3, 7, 1)
                        .longs(new long[] {6})
                        .outputs(F),
                SingleNodeCase.of("DFT-complex-inverse", "DFT", 17)
                        .attr(intAttr("inverse", 1))
                        .uniformFloats(-1, 1, 2, 5, 2)
                        .outputs(F),
                SingleNodeCase.of("STFT-two-sided", "STFT", 17)
                        .attr(intAttr("onesided", 0))
                        .uniformFloats(-1, 1, 2, 12, 1)
                        .longs(new long[] {4})
                        .uniformFloats(0, 1, 5)
                        .outputs(F),
                SingleNodeCase.of("DFT-complex", "DFT", 17)
                        .uniformFloats(-1, 1, 2, 5, 2)
                        .outputs(F),
                SingleNodeCase.of("TfIdfVectorizer-TFIDF-weights", "TfIdfVectorizer", 9)
                        .attr(stringAttr("mode", "TFIDF"))
                        .attr(intAttr("min_gram_length", 1))
                        .attr(intAttr("max_gram_length", 2))
                        .attr(intAttr("max_skip_count", 2))
                        .attr(ints("ngram_counts", 0, 3))
                        .attr(ints("ngram_indexes", 4, 1, 0, 2, 3))
                        .attr(ints("pool_int64s", 1, 3, 7, 3, 3, 1, 7))
                        .attr(floats("weights", 0.5f, 2f, 1.5f, 3f, 0.25f))
                        .longs(new long[] {1, 3, 3, 7, 1, 7, 3, 3, 1, 1}, 2, 5)
                        .outputs(F),
                SingleNodeCase.of("TfIdfVectorizer-IDF", "TfIdfVectorizer", 9)
                        .attr(stringAttr("mode", "IDF"))
                        .attr(intAttr("min_gram_length", 2))
                        .attr(intAttr("max_gram_length", 2))
                        .attr(intAttr("max_skip_count", 1))
                        .attr(ints("ngram_counts", 0, 0))
                        .attr(ints("ngram_indexes", 0, 1))
                        .attr(ints("pool_int64s", 3, 3, 1, 7))
                        .attr(floats("weights", 0.5f, 2f))
                        .ints(new int[] {1, 3, 3, 7, 1, 7, 3, 3}, 8)
                        .outputs(F),
                SingleNodeCase.of("HannWindow-double", "HannWindow", 17)
                        .attr(intAttr("output_datatype", D))
                        .longs(new long[] {7})
                        .outputs(D),
                SingleNodeCase.of("NegativeLogLikelihoodLoss-negative-ignore", "NegativeLogLikelihoodLoss", 13)
                        .attr(intAttr("ignore_index", -1))
                        .uniformFloats(-2, 0, 3, 4)
                        .longs(new long[] {2, -1, 0}, 3)
                        .uniformFloats(0.5, 1.5, 4)
                        .outputs(F),
                SingleNodeCase.of("SoftmaxCrossEntropyLoss-sum", "SoftmaxCrossEntropyLoss", 13)
                        .attr(stringAttr("reduction", "sum"))
                        .uniformFloats(-2, 2, 3, 4, 2)
                        .longs(new long[] {2, 1, 0, 3, 3, 1}, 3, 2)
                        .outputs(F, F));
    }

    private static AttributeProto floats(String name, float... v) {
        AttributeProto.Builder b =
                AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
        for (float x : v) {
            b.addFloats(x);
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesOnnxRuntime(SingleNodeCase c) {
        c.assertMatchesOrt(1e-5, 1e-4);
    }
}
