package dev.mergenet.transfer.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last axis with learnable γ (init 1) and β (init 0); biased variance, as torch. */
final class LayerNorm {
    private final String gamma;
    private final String beta;
    private final float eps;

    LayerNorm(NamedArrays arrays, TorchInit init, String name, int size, float eps) {
        this.gamma = name + ".weight";
        this.beta = name + ".bias";
        arrays.addParameter(gamma, init.ones(new Shape(size)));
        arrays.addParameter(beta, init.zeros(new Shape(size)));
        this.eps = eps;
    }

    NDArray forward(NamedArrays.Scoped p, NDArray x) {
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centered = x.sub(mean);
        NDArray var = centered.square().mean(new int[] {-1}, true);
        return centered.div(var.add(eps).sqrt()).mul(p.param(gamma)).add(p.param(beta));
    }
}
