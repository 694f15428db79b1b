package dev.mergenet.transfer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.ndarray.Scopes;
import java.util.Collection;

/** torch.nn.utils.clip_grad_norm_: scale all gradients by min(1, max/(‖g‖₂ + 1e-6)); returns the norm before. */
public final class GradientClipping {
    private GradientClipping() {}

    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm, NDManager scope) {
        double sq = 0;
        for (NDArray p : params) {
            if (p.hasGradient()) {
                NDArray g = Scopes.gradient(p, scope);
                sq += g.square().sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            }
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (NDArray p : params) {
                if (p.hasGradient()) {
                    Scopes.gradient(p, scope).muli(coef);
                }
            }
        }
        return norm;
    }
}
