package dev.mergenet.importers.ops.rnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.Activation;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ndarray.ScalarMath;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** The activation functions the recurrent ops accept by name, with their alpha/beta settings. */
final class GateActivation {
    private GateActivation() {}

    /**
     * Parses one activation name; alpha and beta are taken from the iterators only by the functions that use
     * them (the order ONNX Runtime consumes activation_alpha/activation_beta in).
     */
    static UnaryOperator<NDArray> parse(String name, Iterator<Float> alphas, Iterator<Float> betas, String owner) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sigmoid":
                return Activation::sigmoid;
            case "tanh":
                return Activation::tanh;
            case "relu":
                return Activation::relu;
            case "softsign":
                return Activation::softSign;
            case "softplus":
                return Activation::softPlus;
            case "leakyrelu": {
                float a = next(alphas, 0.01f);
                return x -> Activation.leakyRelu(x, a);
            }
            case "thresholdedrelu": {
                float a = next(alphas, 1f);
                return x -> NDArrays.where(x.gt(a), x, x.zerosLike());
            }
            case "elu": {
                float a = next(alphas, 1f);
                return x -> NDArrays.where(x.gt(0), x, ScalarMath.mul(x.exp().sub(1), a));
            }
            case "hardsigmoid": {
                float a = next(alphas, 0.2f);
                float b = next(betas, 0.5f);
                return x -> ScalarMath.mul(x, a).add(b).clip(0, 1);
            }
            case "affine": {
                float a = next(alphas, 1f);
                float b = next(betas, 0f);
                return x -> ScalarMath.mul(x, a).add(b);
            }
            case "scaledtanh": {
                float a = next(alphas, 1f);
                float b = next(betas, 1f);
                return x -> ScalarMath.mul(Activation.tanh(ScalarMath.mul(x, b)), a);
            }
            default:
                throw new OnnxFormatException(
                        owner + ": activation '" + name + "' is not an ONNX recurrent activation");
        }
    }

    private static float next(Iterator<Float> values, float fallback) {
        return values.hasNext() ? values.next() : fallback;
    }
}
