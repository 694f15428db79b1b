package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for elementwise math, comparison, logic, Cast, MatMul and Gemm. */
public final class MathOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("Abs", new UnaryMath(NDArray::abs), 1, 6, 13);
        r.add("Neg", new UnaryMath(NDArray::neg), 1, 6, 13);
        r.add("Exp", new UnaryMath(NDArray::exp), 1, 6, 13);
        r.add("Log", new UnaryMath(NDArray::log), 1, 6, 13);
        r.add("Sqrt", new UnaryMath(NDArray::sqrt), 1, 6, 13);
        r.add("Reciprocal", new UnaryMath(UnaryMath::reciprocal), 1, 6, 13);
        r.add("Floor", new UnaryMath(NDArray::floor), 1, 6, 13);
        r.add("Ceil", new UnaryMath(NDArray::ceil), 1, 6, 13);
        r.add("Round", new UnaryMath(NDArray::round), 11, 22);
        r.add("Sign", new UnaryMath(UnaryMath::sign), 9, 13);
        r.add("Sin", new UnaryMath(NDArray::sin), 7, 22);
        r.add("Cos", new UnaryMath(NDArray::cos), 7, 22);
        r.add("Tan", new UnaryMath(NDArray::tan), 7, 22);
        r.add("Asin", new UnaryMath(NDArray::asin), 7, 22);
        r.add("Acos", new UnaryMath(NDArray::acos), 7, 22);
        r.add("Atan", new UnaryMath(NDArray::atan), 7, 22);
        r.add("Sinh", new UnaryMath(NDArray::sinh), 9, 22);
        r.add("Cosh", new UnaryMath(NDArray::cosh), 9, 22);
        r.add("Asinh", new UnaryMath(UnaryMath::asinh), 9, 22);
        r.add("Acosh", new UnaryMath(UnaryMath::acosh), 9, 22);
        r.add("Atanh", new UnaryMath(UnaryMath::atanh), 9, 22);
        r.add("Erf", new UnaryMath(NDArray::erf), 9, 13);
        r.add("IsNaN", FloatClass.isNaN(), 9, 13, 20);
        r.add("IsInf", FloatClass.isInf(), 10, 20);

        r.add("Add", new BinaryArithmetic(BinaryArithmetic.Kind.ADD), 1, 6, 7, 13, 14);
        r.add("Sub", new BinaryArithmetic(BinaryArithmetic.Kind.SUB), 1, 6, 7, 13, 14);
        r.add("Mul", new BinaryArithmetic(BinaryArithmetic.Kind.MUL), 1, 6, 7, 13, 14);
        r.add("Div", new BinaryArithmetic(BinaryArithmetic.Kind.DIV), 1, 6, 7, 13, 14);
        r.add("Pow", new Pow(), 1, 7, 12, 13, 15);
        r.add("Mod", new Mod(), 10, 13);
        r.add("Max", new Variadic(Variadic.Kind.MAX), 1, 6, 8, 12, 13);
        r.add("Min", new Variadic(Variadic.Kind.MIN), 1, 6, 8, 12, 13);
        r.add("Sum", new Variadic(Variadic.Kind.SUM), 1, 6, 8, 13);
        r.add("Mean", new Variadic(Variadic.Kind.MEAN), 1, 6, 8, 13);

        r.add("BitShift", new Bitwise(Bitwise.Kind.SHIFT), 11);
        r.add("BitwiseAnd", new Bitwise(Bitwise.Kind.AND), 18);
        r.add("BitwiseOr", new Bitwise(Bitwise.Kind.OR), 18);
        r.add("BitwiseXor", new Bitwise(Bitwise.Kind.XOR), 18);
        r.add("BitwiseNot", new Bitwise(Bitwise.Kind.NOT), 18);
        r.add("And", new Logical(Logical.Kind.AND), 1, 7);
        r.add("Or", new Logical(Logical.Kind.OR), 1, 7);
        r.add("Xor", new Logical(Logical.Kind.XOR), 1, 7);
        r.add("Not", new Logical(Logical.Kind.NOT), 1);
        r.add("Equal", new Comparison(Comparison.Kind.EQ), 1, 7, 11, 13, 19);
        r.add("Greater", new Comparison(Comparison.Kind.GT), 1, 7, 9, 13);
        r.add("Less", new Comparison(Comparison.Kind.LT), 1, 7, 9, 13);
        r.add("GreaterOrEqual", new Comparison(Comparison.Kind.GE), 12, 16);
        r.add("LessOrEqual", new Comparison(Comparison.Kind.LE), 12, 16);
        r.add("Where", new Where(), 9, 16);
        r.add("Clip", new Clip(), 1, 6, 11, 12, 13);
        r.add("Cast", Cast.cast(), 1, 6, 9, 13, 19, 21);
        r.add("CastLike", Cast.castLike(), 15, 19, 21);

        r.add("MatMul", new MatMul(), 1, 9, 13);
        r.add("Gemm", new Gemm(), 1, 6, 7, 9, 11, 13);
        r.add("Einsum", new Einsum(), 12);
        r.add("CumSum", new CumSum(), 11, 14);
        r.add("Det", new Det(), 11, 22);

        r.add("MatMulInteger", new Quantization(Quantization.Kind.MATMUL_INTEGER), 10);
        // 19 and 21 add float8/int4 types and blocked scales: the int8/uint8 per-tensor and per-axis forms remain
        r.add("QuantizeLinear", new Quantization(Quantization.Kind.QUANTIZE), 10, 13, 19, 21);
        r.add("DequantizeLinear", new Quantization(Quantization.Kind.DEQUANTIZE), 10, 13, 19, 21);
        r.add("DynamicQuantizeLinear", new Quantization(Quantization.Kind.DYNAMIC_QUANTIZE), 11);
        r.add("QLinearMatMul", new Quantization(Quantization.Kind.QLINEAR_MATMUL), 10, 21);

        r.add("HannWindow", Window.hann(), 17);
        r.add("HammingWindow", Window.hamming(), 17);
        r.add("BlackmanWindow", Window.blackman(), 17);
        r.add("DFT", FourierTransform.dft(), 17);
        r.declareUnsupported("DFT", 20);
        r.add("STFT", FourierTransform.stft(), 17);
        r.add("MelWeightMatrix", new MelWeightMatrix(), 17);
        r.add("TfIdfVectorizer", new TfIdfVectorizer(), 9);
        r.add("Bernoulli", new Bernoulli(), 15, 22);
        r.add("NegativeLogLikelihoodLoss", new NegativeLogLikelihoodLoss(), 12, 13, 22);
        r.add("SoftmaxCrossEntropyLoss", new SoftmaxCrossEntropyLoss(), 12, 13);
    }
}
