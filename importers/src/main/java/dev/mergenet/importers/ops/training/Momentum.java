package dev.mergenet.importers.ops.training;

import ai.djl.ndarray.NDArray;
import dev.mergenet.importers.ops.OnnxNode;

/** Momentum (preview.training), standard or nesterov: outputs X_new..., V_new... . */
final class Momentum extends OptimizerStep {
    private float alpha;
    private float beta;
    private float norm;
    private boolean nesterov;

    Momentum() {
        super(3);
    }

    @Override
    void parse(OnnxNode node) {
        alpha = node.attrs().getFloat("alpha", 0f);
        beta = node.attrs().getFloat("beta", 0f);
        norm = node.attrs().getFloat("norm_coefficient", 0f);
        nesterov = node.attrs().getString("mode", "standard").equals("nesterov");
    }

    @Override
    NDArray[] step(double r, long t, NDArray[] g) {
        NDArray grad = g[0].mul(norm).add(g[1]);
        float b = t > 0 ? beta : 1f; // the first step takes the whole gradient
        NDArray v = g[2].mul(alpha).add(grad.mul(b));
        NDArray x = nesterov ? g[0].sub(grad.add(v.mul(alpha)).mul(r)) : g[0].sub(v.mul(r));
        return new NDArray[] {x, v};
    }
}
