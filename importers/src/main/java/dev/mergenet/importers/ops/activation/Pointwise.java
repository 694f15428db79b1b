package dev.mergenet.importers.ops.activation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.Attributes;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;
import dev.mergenet.importers.ops.math.Numeric;

/**
 * Activations of one input with float attributes (Relu, LeakyRelu, Elu, Selu, Celu, ThresholdedRelu,
 * Sigmoid, HardSigmoid, HardSwish, Tanh, Softplus, Softsign, Shrink, Mish, Gelu). The engine's fused
 * kernels serve where their definition is ONNX's; the rest are built from differentiable array ops, piecewise
 * ones from relu-like pieces so gradients are exact on each side.
 */
public final class Pointwise implements OpConverter {
    /** Which activation. */
    public enum Kind {
        RELU, LEAKY_RELU, ELU, SELU, CELU, THRESHOLDED_RELU, SIGMOID, HARD_SIGMOID, HARD_SWISH, TANH, SOFTPLUS,
        SOFTSIGN, SHRINK, MISH, GELU
    }

    private static final float DEFAULT_SELU_ALPHA = 1.67326319217681884765625f;
    private static final float DEFAULT_SELU_GAMMA = 1.05070102214813232421875f;

    private final Kind kind;

    public Pointwise(Kind kind) {
        this.kind = kind;
    }

    /** The attribute values one node's kernel needs. */
    private record Params(float alpha, float beta, boolean tanhApprox) {}

    @Override
    public OpKernel prepare(OnnxNode node) {
        Attributes a = node.attrs();
        Params p;
        switch (kind) {
            case LEAKY_RELU: p = new Params(a.getFloat("alpha", 0.01f), 0, false); break;
            case ELU: case CELU: case THRESHOLDED_RELU: p = new Params(a.getFloat("alpha", 1f), 0, false); break;
            case SELU: p = new Params(a.getFloat("alpha", DEFAULT_SELU_ALPHA), a.getFloat("gamma", DEFAULT_SELU_GAMMA),
                    false); break;
            case HARD_SIGMOID: p = new Params(a.getFloat("alpha", 0.2f), a.getFloat("beta", 0.5f), false); break;
            case SHRINK: p = new Params(a.getFloat("lambd", 0.5f), a.getFloat("bias", 0f), false); break;
            case GELU:
                String approx = a.getString("approximate", "none");
                if (!approx.equals("none") && !approx.equals("tanh")) {
                    throw new MergeNetException(node.describe() + ": unknown approximate='" + approx + "'");
                }
                p = new Params(0, 0, approx.equals("tanh"));
                break;
            default: p = new Params(0, 0, false);
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            DataType type = x.getDataType();
            // Relu keeps integers exact; the others take float attributes, so integers go through float64
            NDArray v = type.isFloating() || kind == Kind.RELU ? x : x.toType(DataType.FLOAT64, false);
            NDArray y = apply(kind, p, v);
            return new NDList(Numeric.owned(Numeric.as(y, type), x));
        };
    }

    private static NDArray apply(Kind kind, Params p, NDArray x) {
        switch (kind) {
            case RELU: return x.getDataType().isFloating() ? x.getNDArrayInternal().relu() : relu(x); // native: one fused op
            case LEAKY_RELU: return x.getNDArrayInternal().leakyRelu(p.alpha);
            case ELU: return x.getNDArrayInternal().elu(p.alpha);
            case SELU:
                if (p.alpha == DEFAULT_SELU_ALPHA && p.beta == DEFAULT_SELU_GAMMA) {
                    return x.getNDArrayInternal().selu(); // the engine's constants are these defaults
                }
                return relu(x).add(expm1(negPart(x)).mul(c(x, p.alpha))).mul(c(x, p.beta));
            case CELU: return relu(x).add(expm1(negPart(x).div(c(x, p.alpha))).mul(c(x, p.alpha)));
            case THRESHOLDED_RELU: return x.mul(x.gt(c(x, p.alpha)).toType(x.getDataType(), false));
            case SIGMOID: return x.getNDArrayInternal().sigmoid();
            case HARD_SIGMOID: return hardSigmoid(x, p.alpha, p.beta);
            case HARD_SWISH: return x.mul(hardSigmoid(x, 1f / 6, 0.5f));
            case TANH: return x.tanh();
            case SOFTPLUS: return x.getNDArrayInternal().softPlus();
            case SOFTSIGN: return x.getNDArrayInternal().softSign();
            case SHRINK: {
                NDArray low = x.lt(c(x, -p.alpha)).toType(x.getDataType(), false);
                NDArray high = x.gt(c(x, p.alpha)).toType(x.getDataType(), false);
                return x.add(c(x, p.beta)).mul(low).add(x.sub(c(x, p.beta)).mul(high));
            }
            case MISH: return x.mul(softplus(x).tanh());
            default:
                if (p.tanhApprox) {
                    NDArray inner = x.add(ScalarMath.pow(x, 3).mul(c(x, 0.044715))).mul(c(x, Math.sqrt(2 / Math.PI)));
                    return x.mul(c(x, 0.5)).mul(inner.tanh().add(c(x, 1)));
                }
                return x.getNDArrayInternal().gelu();
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
