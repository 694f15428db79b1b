package dev.mergenet.transfer.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.ndarray.ScalarMath;

/**
 * A linear layer whose weight is W/σ̂(W), as torch.nn.utils.parametrizations.spectral_norm: u, v are persistent
 * buffers; each train-mode forward runs one power iteration on them without gradient, and σ̂ = uᵀWv is
 * differentiated with u and v held constant. Eval mode reuses the stored u, v. At construction 15 power
 * iterations run, as torch does.
 */
final class SpectralNormLinear {
    private static final float NORMALIZE_EPS = 1e-12f;
    static final int INIT_ITERATIONS = 15;

    private final String weight;
    private final String bias;
    private final String uName;
    private final String vName;

    SpectralNormLinear(NamedArrays arrays, TorchInit init, String name, int in, int out) {
        this.weight = name + ".parametrizations.weight.original";
        this.bias = name + ".bias";
        this.uName = name + ".parametrizations.weight.0._u";
        this.vName = name + ".parametrizations.weight.0._v";
        arrays.addParameter(weight, init.uniform(new Shape(out, in), in));
        arrays.addParameter(bias, init.uniform(new Shape(out), in));
        arrays.addBuffer(uName, normalize(init.normal(new Shape(out))));
        arrays.addBuffer(vName, normalize(init.normal(new Shape(in))));
    }

    /** Power iterations on the stored u, v, reading W detached (torch: u = n(Wv), then v = n(Wᵀu)). */
    void powerIterations(NamedArrays.Scoped p, int count) {
        NDArray w = p.param(weight).stopGradient();
        NDArray u = p.buffer(uName);
        NDArray v = p.buffer(vName);
        for (int i = 0; i < count; i++) {
            u = normalize(w.matMul(v));
            v = normalize(w.transpose().matMul(u));
        }
        p.replaceBuffer(uName, u);
        p.replaceBuffer(vName, v);
    }

    /** σ̂ = uᵀWv with the current buffers (differentiable in W only). */
    NDArray sigma(NamedArrays.Scoped p) {
        return p.buffer(uName).dot(p.param(weight).matMul(p.buffer(vName)));
    }

    NDArray forward(NamedArrays.Scoped p, NDArray x, boolean training) {
        if (training) {
            powerIterations(p, 1);
        }
        NDArray normalized = p.param(weight).div(sigma(p));
        return x.matMul(normalized.transpose()).add(p.param(bias));
    }

    String weightName() {
        return weight;
    }

    private static NDArray normalize(NDArray x) {
        return x.div(ScalarMath.maximum(x.norm(), NORMALIZE_EPS));
    }
}
