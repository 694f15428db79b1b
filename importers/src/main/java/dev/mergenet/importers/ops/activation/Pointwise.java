package dev.mergenet.importers.ops.activation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.engine.TorchScriptKernels;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.math.InPlace;
import dev.mergenet.importers.ops.math.Numeric;
import dev.mergenet.importers.ops.spi.Attributes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Activations of one input with float attributes (Relu, LeakyRelu, Elu, Selu, Celu, ThresholdedRelu,
 * Sigmoid, HardSigmoid, HardSwish, Tanh, Softplus, Softsign, Shrink, Mish, Gelu). The engine's fused
 * kernels serve where their definition is ONNX's; the rest are built from differentiable array ops, piecewise
 * ones from relu-like pieces so gradients are exact on each side.
 */
@OnnxOp(
        type = "Relu",
        since = {1, 6, 13, 14})
@OnnxOp(
        type = "LeakyRelu",
        since = {1, 6, 16})
@OnnxOp(
        type = "Elu",
        since = {1, 6, 22})
@OnnxOp(
        type = "Selu",
        since = {1, 6, 22})
@OnnxOp(type = "Celu", since = 12)
@OnnxOp(
        type = "ThresholdedRelu",
        since = {10, 22})
@OnnxOp(
        type = "Sigmoid",
        since = {1, 6, 13})
@OnnxOp(
        type = "HardSigmoid",
        since = {1, 6, 22})
@OnnxOp(
        type = "HardSwish",
        since = {14, 22})
@OnnxOp(
        type = "Tanh",
        since = {1, 6, 13})
@OnnxOp(
        type = "Softplus",
        since = {1, 22})
@OnnxOp(
        type = "Softsign",
        since = {1, 22})
@OnnxOp(type = "Shrink", since = 9)
@OnnxOp(
        type = "Mish",
        since = {18, 22})
@OnnxOp(type = "Gelu", since = 20)
public final class Pointwise implements OpConverter {
    /** Which activation. */
    public enum Kind {
        RELU,
        LEAKY_RELU,
        ELU,
        SELU,
        CELU,
        THRESHOLDED_RELU,
        SIGMOID,
        HARD_SIGMOID,
        HARD_SWISH,
        TANH,
        SOFTPLUS,
        SOFTSIGN,
        SHRINK,
        MISH,
        GELU
    }

    private static final float DEFAULT_SELU_ALPHA = 1.67326319217681884765625f;
    private static final float DEFAULT_SELU_GAMMA = 1.05070102214813232421875f;

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public Pointwise(String opType) {
        this.kind = switch (opType) {
            case "Relu" -> Kind.RELU;
            case "LeakyRelu" -> Kind.LEAKY_RELU;
            case "Elu" -> Kind.ELU;
            case "Selu" -> Kind.SELU;
            case "Celu" -> Kind.CELU;
            case "ThresholdedRelu" -> Kind.THRESHOLDED_RELU;
            case "Sigmoid" -> Kind.SIGMOID;
            case "HardSigmoid" -> Kind.HARD_SIGMOID;
            case "HardSwish" -> Kind.HARD_SWISH;
            case "Tanh" -> Kind.TANH;
            case "Softplus" -> Kind.SOFTPLUS;
            case "Softsign" -> Kind.SOFTSIGN;
            case "Shrink" -> Kind.SHRINK;
            case "Mish" -> Kind.MISH;
            case "Gelu" -> Kind.GELU;
            default -> throw new IllegalArgumentException("Pointwise does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        UnaryOperator<NDArray> activation = activation(node);
        OpKernel kernel = (ctx, in) -> {
            NDArray x = in.get(0);
            DataType type = x.getDataType();
            // Relu keeps integers exact; the others take float attributes, so integers go through float64
            NDArray v = type.isFloating() || kind == Kind.RELU ? x : x.toType(DataType.FLOAT64, false);
            NDArray y = activation.apply(v);
            return new NDList(Numeric.owned(Numeric.as(y, type), x));
        };
        if (kind != Kind.RELU || !InPlace.overwritable(node)) {
            return kernel;
        }
        // PyTorch's ReLU(inplace=True): written into a value nothing else reads, where the engine has the kernel
        return (ctx, in) -> {
            NDArray x = in.get(0);
            Optional<NDArray> y = x.getDataType().isFloating() ? TorchScriptKernels.reluInPlace(x) : Optional.empty();
            return y.isPresent() ? new NDList(y.get()) : kernel.run(ctx, in);
        };
    }

    /** This node's activation: each op's attributes are read next to the math that uses them. */
    private UnaryOperator<NDArray> activation(OnnxNode node) {
        Attributes a = node.attrs();
        switch (kind) {
            case RELU:
                return x ->
                        x.getDataType().isFloating() ? x.getNDArrayInternal().relu() : relu(x); // native: one fused op
            case LEAKY_RELU: {
                float alpha = a.getFloat("alpha", 0.01f);
                return x -> x.getNDArrayInternal().leakyRelu(alpha);
            }
            case ELU: {
                float alpha = a.getFloat("alpha", 1f);
                return x -> x.getNDArrayInternal().elu(alpha);
            }
            case SELU: {
                float alpha = a.getFloat("alpha", DEFAULT_SELU_ALPHA);
                float gamma = a.getFloat("gamma", DEFAULT_SELU_GAMMA);
                if (alpha == DEFAULT_SELU_ALPHA && gamma == DEFAULT_SELU_GAMMA) {
                    return x -> x.getNDArrayInternal().selu(); // the engine's constants are these defaults
                }
                return x -> relu(x).add(expm1(negPart(x)).mul(c(x, alpha))).mul(c(x, gamma));
            }
            case CELU: {
                float alpha = a.getFloat("alpha", 1f);
                return x -> relu(x).add(expm1(negPart(x).div(c(x, alpha))).mul(c(x, alpha)));
            }
            case THRESHOLDED_RELU: {
                float alpha = a.getFloat("alpha", 1f);
                return x -> x.mul(x.gt(c(x, alpha)).toType(x.getDataType(), false));
            }
            case SIGMOID:
                return x -> x.getNDArrayInternal().sigmoid();
            case HARD_SIGMOID: {
                float alpha = a.getFloat("alpha", 0.2f);
                float beta = a.getFloat("beta", 0.5f);
                return x -> hardSigmoid(x, alpha, beta);
            }
            case HARD_SWISH:
                return x -> x.mul(hardSigmoid(x, 1f / 6, 0.5f));
            case TANH:
                return NDArray::tanh;
            case SOFTPLUS:
                return x -> x.getNDArrayInternal().softPlus();
            case SOFTSIGN:
                return x -> x.getNDArrayInternal().softSign();
            case SHRINK: {
                float lambd = a.getFloat("lambd", 0.5f);
                float bias = a.getFloat("bias", 0f);
                return x -> {
                    NDArray low = x.lt(c(x, -lambd)).toType(x.getDataType(), false);
                    NDArray high = x.gt(c(x, lambd)).toType(x.getDataType(), false);
                    return x.add(c(x, bias)).mul(low).add(x.sub(c(x, bias)).mul(high));
                };
            }
            case MISH:
                return x -> x.mul(softplus(x).tanh());
            case GELU: {
                String approx = a.getString("approximate", "none");
                if (!approx.equals("none") && !approx.equals("tanh")) {
                    throw new MergeNetException(node.describe() + ": unknown approximate='" + approx + "'");
                }
                if (approx.equals("tanh")) {
                    return x -> {
                        NDArray inner =
                                x.add(ScalarMath.pow(x, 3).mul(c(x, 0.044715))).mul(c(x, Math.sqrt(2 / Math.PI)));
                        return x.mul(c(x, 0.5)).mul(inner.tanh().add(c(x, 1)));
                    };
                }
                return x -> x.getNDArrayInternal().gelu();
            }
            default:
                throw new IllegalStateException("no activation for " + kind);
        }
    }

    private static NDArray c(NDArray like, double v) {
        return Numeric.scalar(like.getManager(), v, like.getDataType());
    }

    private static NDArray relu(NDArray x) {
        return x.maximum(c(x, 0));
    }

    private static NDArray negPart(NDArray x) {
        return x.minimum(c(x, 0));
    }

    private static NDArray expm1(NDArray x) {
        return x.exp().sub(c(x, 1));
    }

    /** log(1 + e^x) computed as max(x, 0) + log(1 + e^-|x|), which neither overflows nor loses small values. */
    private static NDArray softplus(NDArray x) {
        return relu(x).add(x.abs().neg().exp().add(c(x, 1)).log());
    }

    private static NDArray hardSigmoid(NDArray x, double alpha, double beta) {
        return x.mul(c(x, alpha)).add(c(x, beta)).maximum(c(x, 0)).minimum(c(x, 1));
    }
}
