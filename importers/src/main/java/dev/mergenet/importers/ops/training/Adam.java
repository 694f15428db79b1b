package dev.mergenet.importers.ops.training;

import ai.djl.ndarray.NDArray;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;

/** Adam (preview.training): outputs X_new..., V_new..., H_new... . */
@OnnxOp(domain = "ai.onnx.preview.training", type = "Adam", since = 1)
public final class Adam extends OptimizerStep {
    private float alpha;
    private float beta;
    private float epsilon;
    private float norm;
    private float normPost;

    public Adam() {
        super(4);
    }

    @Override
    void parse(OnnxNode node) {
        alpha = node.attrs().getFloat("alpha", 0.9f);
        beta = node.attrs().getFloat("beta", 0.999f);
        epsilon = node.attrs().getFloat("epsilon", 1e-6f);
        norm = node.attrs().getFloat("norm_coefficient", 0f);
        normPost = node.attrs().getFloat("norm_coefficient_post", 0f);
    }

    @Override
    NDArray[] step(double r, long t, NDArray[] g) {
        NDArray grad = ScalarMath.mul(g[0], norm).add(g[1]);
        NDArray v = ScalarMath.mul(g[2], alpha).add(ScalarMath.mul(grad, 1 - alpha));
        NDArray h = ScalarMath.mul(g[3], beta).add(ScalarMath.mul(grad.square(), 1 - beta));
        double rate = t > 0 ? r * Math.sqrt(1 - Math.pow(beta, t)) / (1 - Math.pow(alpha, t)) : r;
        NDArray x = ScalarMath.mul(g[0].sub(ScalarMath.mul(v.div(h.sqrt().add(epsilon)), rate)), 1 - normPost);
        return new NDArray[] {x, v, h};
    }
}
