package dev.mergenet.importers.ops.training;

import ai.djl.ndarray.NDArray;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;

/** Momentum (preview.training), standard or nesterov: outputs X_new..., V_new... . */
@OnnxOp(domain = "ai.onnx.preview.training", type = "Momentum", since = 1)
public final class Momentum extends OptimizerStep {
    private float alpha;
    private float beta;
    private float norm;
    private boolean nesterov;

    public Momentum() {
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
        NDArray grad = ScalarMath.mul(g[0], norm).add(g[1]);
        float b = t > 0 ? beta : 1f; // the first step takes the whole gradient
        NDArray v = ScalarMath.mul(g[2], alpha).add(ScalarMath.mul(grad, b));
        NDArray x = nesterov
                ? g[0].sub(ScalarMath.mul(grad.add(ScalarMath.mul(v, alpha)), r))
                : g[0].sub(ScalarMath.mul(v, r));
        return new NDArray[] {x, v};
    }
}
