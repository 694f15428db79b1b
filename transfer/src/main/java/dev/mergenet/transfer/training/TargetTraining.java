package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.transfer.distill.DistillationLosses;
import dev.mergenet.transfer.distill.KdLoss;
import dev.mergenet.transfer.distill.KdWarmup;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.ParameterOptimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The target's own step: cross-entropy on its batch, plus (when a teacher's scores are given) distillation
 * (1 − α)·CE + w·α·KD (Hinton's τ²·KL or another {@link KdLoss}; w the {@link KdWarmup} ramp, 1 without one),
 * backward, and one optimizer step. The loss gradient stays on the weights after the step, so
 * the MergeNet gates can read it.
 */
public final class TargetTraining implements AutoCloseable {
    private final TrainableModel target;
    private final ParameterOptimizer optimizer;
    private final double kdAlpha;
    private final KdLoss kdLoss;
    private Set<String> held = Set.of();
    private final KdWarmup warmup;

    public TargetTraining(TrainableModel target, ParameterOptimizer optimizer, double kdAlpha, double kdTemperature) {
        this(target, optimizer, kdAlpha, new KdLoss(KdLoss.Kind.HINTON, kdTemperature, 0, 0, 0));
    }

    public TargetTraining(TrainableModel target, ParameterOptimizer optimizer, double kdAlpha, KdLoss kdLoss) {
        this(target, optimizer, kdAlpha, kdLoss, KdWarmup.OFF);
    }

    public TargetTraining(
            TrainableModel target, ParameterOptimizer optimizer, double kdAlpha, KdLoss kdLoss, KdWarmup warmup) {
        this.target = target;
        this.optimizer = optimizer;
        this.kdAlpha = kdAlpha;
        this.kdLoss = kdLoss;
        this.warmup = warmup;
    }

    /**
     * The target's step on the step's batch, distilling from the teacher's scores when a participant handed some.
     *
     * @param step the batch, learning rate and scope
     * @return the step's loss and correct predictions
     */
    public StepResult step(Step step) {
        return step(
                step.features(),
                step.labels(),
                step.teacherScores(),
                step.teacherProbabilities(),
                step.lr(),
                step.scope(),
                step::beforeBackward,
                warmup.weight(step.index()));
    }

    /**
     * The target's step outside a run (benchmarks time it alone).
     *
     * @param teacherScores        the teacher's scores for this batch (null: no distillation)
     * @param teacherProbabilities whether those scores are probabilities rather than logits
     * @param beforeBackward       runs inside the gradient collector right before backward
     * @return the step's loss and correct predictions
     */
    public StepResult step(
            NDArray x,
            NDArray y,
            NDArray teacherScores,
            boolean teacherProbabilities,
            double lr,
            NDManager scope,
            Runnable beforeBackward) {
        return step(x, y, teacherScores, teacherProbabilities, lr, scope, beforeBackward, 1);
    }

    /** The step with the distillation term scaled by {@code kdRamp} (the warm-up's weight). */
    StepResult step(
            NDArray x,
            NDArray y,
            NDArray teacherScores,
            boolean teacherProbabilities,
            double lr,
            NDManager scope,
            Runnable beforeBackward,
            double kdRamp) {
        target.weights().values().forEach(Scopes::zeroGradient);
        NDArray loss;
        NDArray scores;
        try (GradientCollector gc = TorchEngine.newGradientCollector()) {
            scores = target.forward(x, true);
            loss = Losses.crossEntropy(Losses.logProbabilities(scores, target.outputsProbabilities()), y);
            if (teacherScores != null) {
                // Hinton keeps its original expression (pinned results); the others take logits
                NDArray kd = kdLoss.kind() == KdLoss.Kind.HINTON
                        ? Losses.distillation(
                                scores,
                                target.outputsProbabilities(),
                                teacherScores,
                                teacherProbabilities,
                                kdLoss.temperature())
                        : kdLoss.apply(
                                DistillationLosses.logits(scores, target.outputsProbabilities()),
                                DistillationLosses.logits(teacherScores, teacherProbabilities),
                                y);
                // the warm-up scales the distillation term only, as DKD's reference code (CE keeps its weight)
                loss = ScalarMath.mul(loss, 1 - kdAlpha).add(ScalarMath.mul(kd, kdAlpha * kdRamp));
            }
            beforeBackward.run();
            gc.backward(loss);
        }
        double value = loss.toType(DataType.FLOAT64, false).getDouble();
        if (Double.isFinite(value)) {
            optimizer.step(held.isEmpty() ? target.weights() : stepped(), lr, scope);
        }
        return new StepResult(
                value, Losses.correct(scores, y), (int) y.getShape().get(0));
    }

    /**
     * Weights a participant generates (learned compactors): the target's optimizer leaves them, and their gradient,
     * alone until {@code names} is empty again, so they start with clean optimizer state when they train as its own.
     */
    public void hold(Set<String> names) {
        held = Set.copyOf(names);
    }

    private Map<String, NDArray> stepped() {
        Map<String, NDArray> out = new LinkedHashMap<>(target.weights());
        out.keySet().removeAll(held);
        return out;
    }

    public ParameterOptimizer optimizer() {
        return optimizer;
    }

    /** Frees the target's optimizer state; the target model belongs to the job. */
    @Override
    public void close() {
        optimizer.close();
    }

    public TrainableModel model() {
        return target;
    }

    /** The target's weights, running statistics and optimizer state for a checkpoint. */
    void saveState(Map<String, NDArray> tensors, Map<String, Long> counters) {
        target.weights().forEach((k, v) -> tensors.put("target.w/" + k, v));
        target.state().forEach((k, v) -> tensors.put("target.s/" + k, v));
        optimizer.stateArrays().forEach((k, v) -> tensors.put("opt.target/" + k, v));
        counters.put("opt.target", optimizer.steps());
    }

    void restoreState(SavedState saved, NDManager scope) {
        saved.assignAll(target.weights(), "target.w/", scope);
        saved.assignAll(target.state(), "target.s/", scope);
        optimizer.restore(saved.section("opt.target/"), saved.counter("opt.target"));
    }
}
