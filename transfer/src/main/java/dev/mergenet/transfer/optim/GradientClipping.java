package dev.mergenet.transfer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.ndarray.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** torch.nn.utils.clip_grad_norm_: scale all gradients by min(1, max/(‖g‖₂ + 1e-6)); returns the norm before. */
public final class GradientClipping {
    private GradientClipping() {}

    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm, NDManager scope) {
        double sq = 0;
        List<NDArray> grads = new ArrayList<>();
        for (NDArray p : params) {
            NDArray g = Scopes.gradient(p, scope);
            if (g != null) { // weights no backward pass reached count for nothing, as in clip_grad_norm_
                grads.add(g);
                sq += g.square().sum().toType(DataType.FLOAT64, false).getDouble();
            }
        }
        double norm = Math.sqrt(sq);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (NDArray g : grads) {
                g.muli(coef);
            }
        }
        return norm;
    }
}
