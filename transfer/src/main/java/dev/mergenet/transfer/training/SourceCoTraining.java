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
import java.util.Map;

/**
 * A source trained alongside the target (design note 4.4: the source steps first, on the shared batch or on its
 * own data). When the run distils, its scores of the shared batch are the target's teacher.
 */
public final class SourceCoTraining implements StepParticipant {
    private final TrainableModel source;
    private final ParameterOptimizer optimizer;
    private final LabeledData ownData;
    private final int batchSize;
    private final long seed;
    private final boolean teaches;
    private final LabeledData validation;
    private final int evalBatchSize;
    private final NDManager manager;
    private Totals totals = new Totals();
    private boolean closed;

    /**
     * @param ownData       the source's own training set (null: the target's batches)
     * @param teaches       whether its scores of the shared batch are the target's distillation teacher
     * @param validation    the set its accuracy is measured on after each epoch (null: none)
     * @param evalBatchSize batch size of that evaluation
     * @param manager       the run's manager, for evaluation
     */
    public SourceCoTraining(
            TrainableModel source,
            ParameterOptimizer optimizer,
            LabeledData ownData,
            int batchSize,
            long seed,
            boolean teaches,
            LabeledData validation,
            int evalBatchSize,
            NDManager manager) {
        this.source = source;
        this.optimizer = optimizer;
        this.ownData = ownData;
        this.batchSize = batchSize;
        this.seed = seed;
        this.teaches = teaches;
        this.validation = validation;
        this.evalBatchSize = evalBatchSize;
        this.manager = manager;
    }

    @Override
    public StepRole role() {
        return StepRole.SOURCE;
    }

    @Override
    public void startEpoch(int epoch) {
        checkOpen();
        totals = new Totals();
    }

    @Override
    public void beforeTarget(Step step) {
        checkOpen();
        step.reseed(StepRole.SOURCE);
        NDArray scores = step(step);
        if (teaches) {
            step.teach(scores, source.outputsProbabilities());
        }
    }

    /** The source's step; returns its scores of the shared batch (null when it trains on its own data). */
    private NDArray step(Step step) {
        NDManager scope = step.scope();
        NDArray xs = step.features();
        NDArray ys = step.labels();
        long globalStep = step.index();
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
            step.beforeBackward();
            gc.backward(loss);
        }
        double value = loss.toType(DataType.FLOAT64, false).getDouble();
        if (Double.isFinite(value)) {
            optimizer.step(source.weights(), step.lr(), scope);
        }
        StepResult r = new StepResult(
                value, Losses.correct(scores, ys), (int) ys.getShape().get(0));
        step.checkFinite("the source loss", r.loss());
        totals.add(r);
        return ownData == null ? scores.stopGradient() : null;
    }

    @Override
    public void summarize(EpochRecord rec) {
        if (totals.count > 0) {
            rec.sourceTrainLoss = totals.meanLoss();
            rec.sourceTrainAccuracy = totals.accuracy();
        }
    }

    @Override
    public void evaluate(EpochRecord rec) {
        checkOpen();
        if (validation != null) {
            double[] r = Evaluation.evaluate(source, validation, evalBatchSize, manager);
            rec.sourceValLoss = r[0];
            rec.sourceValAccuracy = r[1];
        }
    }

    @Override
    public void saveState(Map<String, NDArray> tensors, Map<String, Long> counters) {
        checkOpen();
        source.weights().forEach((k, v) -> tensors.put("source.w/" + k, v));
        source.state().forEach((k, v) -> tensors.put("source.s/" + k, v));
        optimizer.stateArrays().forEach((k, v) -> tensors.put("opt.source/" + k, v));
        counters.put("opt.source", optimizer.steps());
    }

    @Override
    public void restoreState(SavedState saved, NDManager scope) {
        checkOpen();
        saved.assignAll(source.weights(), "source.w/", scope);
        saved.assignAll(source.state(), "source.s/", scope);
        optimizer.restore(saved.section("opt.source/"), saved.counter("opt.source"));
    }

    public TrainableModel model() {
        return source;
    }

    public ParameterOptimizer optimizer() {
        return optimizer;
    }

    /** Frees the source's optimizer state; the source's model belongs to the job. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            optimizer.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the co-trained source " + source.origin() + " was used after close()");
        }
    }
}
