package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.transfer.data.BatchOrder;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.ParameterOptimizer;

/**
 * A source trained alongside the target (design note 4.4: the source steps first, on the shared batch or on its
 * own data). Its scores of the shared batch are what a co-trained distillation reads.
 */
public final class SourceCoTraining {
    private final TrainableModel source;
    private final ParameterOptimizer optimizer;
    private final LabeledData ownData;
    private final int batchSize;
    private final long seed;
    private NDArray lastScores;

    /** @param ownData the source's own training set (null: the target's batches) */
    public SourceCoTraining(TrainableModel source, ParameterOptimizer optimizer, LabeledData ownData, int batchSize,
                            long seed) {
        this.source = source;
        this.optimizer = optimizer;
        this.ownData = ownData;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    public StepResult step(long globalStep, NDArray x, NDArray y, double lr, NDManager scope,
                           Runnable beforeBackward) {
        NDArray xs = x;
        NDArray ys = y;
        if (ownData != null) {
            // the source walks its own data set in its own order, one batch per target step
            int batches = BatchOrder.batches(ownData.size(), batchSize);
            int[] order = BatchOrder.forEpoch(ownData.size(), seed + 7_777, (int) (globalStep / batches));
            int from = (int) (globalStep % batches) * batchSize;
            int to = Math.min(from + batchSize, order.length);
            xs = ownData.features(scope, order, from, to);
            ys = ownData.labels(scope, order, from, to);
        }
        source.weights().values().forEach(Scopes::zeroGradient);
        NDArray loss;
        NDArray scores;
        try (GradientCollector gc = TorchEngine.newGradientCollector()) {
            scores = source.forward(xs, true);
            loss = Losses.crossEntropy(Losses.logProbabilities(scores, source.outputsProbabilities()), ys);
            beforeBackward.run();
            gc.backward(loss);
        }
        double value = loss.toType(DataType.FLOAT64, false).getDouble();
        if (Double.isFinite(value)) {
            optimizer.step(source.weights(), lr, scope);
        }
        lastScores = ownData == null ? scores.stopGradient() : null;
        return new StepResult(value, Losses.correct(scores, ys), (int) ys.getShape().get(0));
    }

    /** The scores of the last step's batch when it was the target's batch (null otherwise). */
    public NDArray lastScores() {
        return lastScores;
    }

    public TrainableModel model() {
        return source;
    }

    public ParameterOptimizer optimizer() {
        return optimizer;
    }
}
