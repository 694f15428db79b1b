package dev.mergenet.transfer.mergenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.model.TrainableModel;

/**
 * Design note 4.3: the adapter generates W' from the target's current matrix T and the source matrix S, and W' is
 * copied into the target's weight by value (its momentum buffer is kept; the target's forward does not see W' as a
 * graph node). φ's autograd graph is kept on the pair for the update of 4.5.
 */
final class Injection {
    private Injection() {}

    /** Generates W' for the pair and writes it into the target; returns ‖W' − W‖ / ‖W‖. */
    static double inject(
            AdaptedPair p,
            TrainableModel target,
            NDArray sourceMatrix,
            AdapterOutput output,
            boolean trainingMode,
            NDManager scope) {
        NDArray weight = target.weights().get(p.spec.target());
        NDArray current = MatrixView.toMatrix(
                        target, p.spec.target(), Scopes.alias(weight, scope).stopGradient())
                .duplicate();
        // gated: the target's own iterate is the current weight without the previous injection's offset, so
        // offsets never accumulate across injections (W = T_own + g ⊙ D(T_own), a residual re-parameterisation)
        NDArray t = output == AdapterOutput.GATED && p.offset != null
                ? current.sub(Scopes.alias(p.offset, scope))
                : current;
        try (GradientCollector gc = TorchEngine.newGradientCollector()) {
            NDArray phi = p.adapter.forward(t, sourceMatrix, trainingMode, scope);
            if (output == AdapterOutput.RELEASED) {
                p.generated = phi;
            } else {
                // W' = T + g ⊙ (s·φ − T): φ brought to T's norm, so the gates alone decide how far W' moves
                double s = norm(t) / Math.max(norm(phi), 1e-12);
                NDArray scaled = ScalarMath.mul(phi, s);
                p.direction = scaled.stopGradient().sub(t).duplicate();
                p.generated = t.add(Scopes.alias(p.gates, scope).stopGradient().mul(scaled.sub(t)));
            }
        }
        NDArray w = p.generated.stopGradient();
        if (output == AdapterOutput.GATED) {
            NDArray offset = w.sub(t).duplicate();
            offset.attach(p.gates.getManager());
            if (p.offset != null) {
                p.offset.close();
            }
            p.offset = offset;
        }
        Scopes.assign(weight, MatrixView.fromMatrix(target, p.spec.target(), w, p.targetShape), scope);
        return norm(w.sub(current)) / Math.max(norm(current), 1e-12);
    }

    static double norm(NDArray a) {
        return a.norm().toType(DataType.FLOAT64, false).getDouble();
    }
}
