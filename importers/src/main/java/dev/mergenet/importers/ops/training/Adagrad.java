package dev.mergenet.importers.ops.training;

import ai.djl.ndarray.NDArray;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;

/** Adagrad (preview.training): outputs X_new..., H_new... . */
@OnnxOp(domain = "ai.onnx.preview.training", type = "Adagrad", since = 1)
public final class Adagrad extends OptimizerStep {
    private float decay;
    private float epsilon;
    private float norm;

    public Adagrad() {
        super(3);
    }

    @Override
    void parse(OnnxNode node) {
        decay = node.attrs().getFloat("decay_factor", 0f);
        epsilon = node.attrs().getFloat("epsilon", 1e-6f);
        norm = node.attrs().getFloat("norm_coefficient", 0f);
    }

    @Override
    NDArray[] step(double r, long t, NDArray[] g) {
        double rate = r / (1 + t * decay);
        NDArray grad = ScalarMath.mul(g[0], norm).add(g[1]);
        NDArray h = g[2].add(grad.square());
        NDArray x = g[0].sub(ScalarMath.mul(grad.div(h.sqrt().add(epsilon)), rate));
        return new NDArray[] {x, h};
    }
}
