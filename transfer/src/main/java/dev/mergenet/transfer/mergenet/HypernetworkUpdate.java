package dev.mergenet.transfer.mergenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.GradientClipping;
import java.util.Map;

/**
 * Design note 4.5, after the target's step from W': δ = W' − W_after, φ's gradient is the VJP (∂W'/∂φ)ᵀ·δ (the
 * backward pass of Σ W' ⊙ sg(δ)), clipped to a global norm, then an AdamW step on φ. The gates of the gated output
 * learn from the loss part of the step only, δ_loss = η·∂L/∂W at W': with a normaliser after the layer the weight-decay
 * part of δ points along T whatever the source, and would open the gates by itself.
 */
final class HypernetworkUpdate {
    private HypernetworkUpdate() {}

    /** The pair's δ and φ's gradient norm before clipping (non-finite when the update diverged). */
    record Result(NDArray delta, double gradNorm) {}

    static Result update(
            AdaptedPair p,
            TrainableModel target,
            double clip,
            double adapterLr,
            double gateLr,
            double targetLr,
            NDManager scope,
            Runnable beforeBackward) {
        NDArray weight = target.weights().get(p.spec.target());
        NDArray after = MatrixView.toMatrix(
                target, p.spec.target(), Scopes.alias(weight, scope).stopGradient());
        NDArray delta = p.generated.stopGradient().sub(after).duplicate();
        Map<String, NDArray> phi = p.adapter.arrays().parameters();
        phi.values().forEach(Scopes::zeroGradient);
        try (GradientCollector gc = TorchEngine.newGradientCollector()) {
            NDArray objective = p.generated.mul(delta.stopGradient()).sum();
            beforeBackward.run();
            gc.backward(objective);
        }
        double norm = GradientClipping.clipGlobalNorm(phi.values(), clip, scope);
        if (!Double.isFinite(norm)) {
            return new Result(delta, norm);
        }
        p.optimizer.step(phi, adapterLr, scope);
        if (p.gates != null && weight.hasGradient()) {
            updateGates(p, target, weight, targetLr, gateLr, scope);
        }
        return new Result(delta, norm);
    }

    private static void updateGates(
            AdaptedPair p, TrainableModel target, NDArray weight, double targetLr, double gateLr, NDManager scope) {
        NDArray weightGrad = Scopes.gradient(weight, scope);
        NDArray lossGrad = MatrixView.toMatrix(
                target,
                p.spec.target(),
                (weightGrad != null ? weightGrad : Scopes.alias(weight, scope).zerosLike()).stopGradient());
        NDArray deltaLoss = ScalarMath.mul(lossGrad, targetLr);
        Scopes.zeroGradient(p.gates);
        try (GradientCollector gc = TorchEngine.newGradientCollector()) {
            NDArray g = Scopes.alias(p.gates, scope);
            gc.backward(g.mul(p.direction).mul(deltaLoss).sum());
        }
        NDArray gateGrad = Scopes.gradient(p.gates, scope);
        double gateNorm = gateGrad == null
                ? 0
                : gateGrad.norm().toType(DataType.FLOAT64, false).getDouble();
        if (Double.isFinite(gateNorm)) {
            p.gateOptimizer.step(Map.of("gates", p.gates), gateLr, scope);
        }
    }
}
