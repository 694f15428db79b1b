package dev.mergenet.transfer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.TrainingCheckpoint;
import dev.mergenet.transfer.config.Keep;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.BatchOrder;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.LearningRateSchedule;
import dev.mergenet.transfer.optim.ParameterOptimizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The training loop of one run: it orders each step and owns timing, progress, epochs, the best epoch, early
 * stopping and checkpoints; what a step does is composed by the job from {@link StepParticipant}s around the
 * subject, {@link TargetTraining}. Per mini-batch (design note 4.4 in docs/mergenet.md): every participant's
 * {@code beforeModels} (MergeNet injects W'), {@code beforeTarget} (the source's step, a teacher's scores), the
 * target's step, every participant's {@code afterTarget} (the adapter's update). Batch order and every dropout mask
 * depend only on (seed, epoch, step), so all modes of a seed see the same data and a resumed run replays exactly
 * what an uninterrupted one does.
 */
public final class TransferRun implements AutoCloseable {
    /** Steps whose mean loss is the "initial loss" that --max-loss-ratio compares against. */
    private static final int INITIAL_STEPS = 10;

    private static final Gson TRAINER_JSON =
            new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final RunConfig cfg;
    private final TargetTraining targetTraining;
    private final TrainableModel target;
    private final List<StepParticipant> participants;
    private final DataSplits data;
    private final NDManager manager;
    private final PrintStream log;
    private final LearningRateSchedule targetSchedule;
    private final boolean perStepRate;
    private final List<EpochRecord> history = new ArrayList<>();
    private final BestWeights best = new BestWeights();
    private final List<StepListener> listeners = new ArrayList<>();
    private Map<String, String> identity = Map.of();
    private long step;
    private int epochsDone;
    private Path lastGoodCheckpoint;
    /** The epoch {@link #lastGoodCheckpoint} holds: an interrupt between an epoch's end and its write sees the last. */
    private volatile int checkpointEpoch;

    private String stopReason;
    private double initialLoss = Double.NaN;
    private double initialLossSum;
    private final double[] recentLosses = new double[INITIAL_STEPS];
    private Function<List<EpochRecord>, TrainingCheckpoint.Header> exportHeader;
    private boolean closed;
    private Supplier<String> beforeEvaluation = () -> null;

    /**
     * @param target       the subject: the target's own training
     * @param participants what else takes part in each step, in the order they are called; the run closes them
     */
    public TransferRun(
            RunConfig cfg,
            TargetTraining target,
            List<StepParticipant> participants,
            DataSplits data,
            NDManager manager,
            PrintStream log) {
        this.cfg = cfg;
        this.targetTraining = target;
        this.target = target.model();
        this.participants = List.copyOf(participants);
        this.data = data;
        this.manager = manager;
        this.log = log;
        if (data.train().size() == 0) {
            throw new MergeNetException(data.train().origin() + ": no training samples");
        }
        checkClassCount(this.target, data.train(), manager);
        this.targetSchedule = LearningRateSchedule.parse(
                cfg.training().schedule().cliName(), cfg.training().lr());
        this.perStepRate =
                LearningRateSchedule.perStep(cfg.training().schedule().cliName());
    }

    /** Runs before each epoch's validation (precise BN); what it returns is logged after the epoch's line. */
    public TransferRun beforeEvaluation(Supplier<String> r) {
        this.beforeEvaluation = r == null ? () -> null : r;
        return this;
    }

    /**
     * The target's score width must cover the data's labels, or the loss fails deep in the engine ("index 5 is out of
     * bounds for dimension 1 with size 2"): say so with both class counts and the remedy.
     */
    static void checkClassCount(TrainableModel target, LabeledData train, NDManager manager) {
        long width;
        try (NDManager scope = manager.newSubManager()) {
            NDArray y = target.forward(train.features(scope, new int[] {0}, 0, 1), false);
            width = y.getShape().dimension() == 2 ? y.getShape().get(1) : -1;
        } catch (RuntimeException e) {
            throw new MergeNetException(
                    target.origin() + ": the model cannot run on samples of shape "
                            + train.sampleShape() + " from " + train.origin() + " (" + e.getMessage()
                            + "); adapt the input "
                            + "(InputAdaptation: resize, channels, mean, std)",
                    e);
        }
        if (width < train.classes()) {
            throw new MergeNetException(target.origin() + ": the model has "
                    + (width < 0 ? "no [batch, classes]" : width + " classes") + " but " + train.origin() + " has "
                    + train.classes() + "; give it a new head"
                    + " for this data (ClassifierHead.replace(model, " + train.classes() + ", seed), or --num-classes "
                    + train.classes() + ")");
        }
    }

    /** What the run's checkpoint must match besides the settings: model and data identity, by name. */
    public TransferRun identity(Map<String, String> id) {
        this.identity = Map.copyOf(id);
        return this;
    }

    /** Adds an observer of the steps (tests: native-memory churn before backward, a stop mid-epoch). */
    public TransferRun listen(StepListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Runs (or, with cfg.control().resume(), continues or extends) the training; returns the per-epoch history. */
    public List<EpochRecord> run() {
        checkOpen();
        if (cfg.control().resume()) {
            restore();
        }
        int batches = BatchOrder.batches(data.train().size(), cfg.training().batchSize());
        long runStart = System.nanoTime();
        long stepsAtStart = step;
        long totalSteps = (long) cfg.training().epochs() * batches;
        for (int epoch = epochsDone; epoch < cfg.training().epochs() && stopReason == null; epoch++) {
            EpochRecord rec = new EpochRecord();
            rec.epoch = epoch;
            rec.targetLr = perStepRate
                    ? targetSchedule.rate(step, totalSteps)
                    : targetSchedule.rate(epoch, cfg.training().epochs());
            long epochStart = System.nanoTime();
            int[] order =
                    BatchOrder.forEpoch(data.train().size(), cfg.training().seed(), epoch);
            Totals t = new Totals();
            long[] nanos = new long[StepRole.values().length];
            for (StepParticipant p : participants) {
                p.startEpoch(epoch);
            }
            ProgressBar bar = new ProgressBar(
                    log,
                    String.format("epoch %d/%d", epoch + 1, cfg.training().epochs()),
                    batches,
                    runStart,
                    stepsAtStart,
                    totalSteps);
            for (int b = 0; b < batches; b++) {
                int from = b * cfg.training().batchSize();
                int to = Math.min(from + cfg.training().batchSize(), order.length);
                double lr = perStepRate ? targetSchedule.rate(step, totalSteps) : rec.targetLr;
                try (NDManager scope = manager.newSubManager()) {
                    step(scope, order, from, to, lr, t, nanos);
                }
                step++;
                for (StepListener l : listeners) {
                    l.afterStep(step);
                }
                bar.update(b + 1, step, t.loss / t.count, (double) t.correct / t.count, t.count);
            }
            rec.targetTrainLoss = t.meanLoss();
            rec.targetTrainAccuracy = t.accuracy();
            rec.secondsTarget = nanos[StepRole.TARGET.ordinal()] / 1e9;
            rec.secondsSource = nanos[StepRole.SOURCE.ordinal()] / 1e9;
            rec.secondsAdapter = nanos[StepRole.ADAPTER.ordinal()] / 1e9;
            for (StepParticipant p : participants) {
                p.summarize(rec);
            }
            long evalStart = System.nanoTime();
            String beforeNote = beforeEvaluation.get();
            evaluate(rec);
            rec.secondsEval = (System.nanoTime() - evalStart) / 1e9;
            rec.secondsTotal = (System.nanoTime() - epochStart) / 1e9;
            history.add(rec);
            epochsDone = epoch + 1;
            if (best.offer(target, epochsDone, rec.targetValAccuracy, manager) || best.isEmpty()) {
                rec.bestSoFar = true;
            }
            if (cfg.control().patience() > 0
                    && best.epoch() > 0
                    && epochsDone - best.epoch() >= cfg.control().patience()
                    && epochsDone < cfg.training().epochs()) {
                stopReason = String.format(
                        "early stop after epoch %d: no better validation accuracy for %d epochs "
                                + "(best %.2f%% at epoch %d)",
                        epochsDone, cfg.control().patience(), 100 * best.valAccuracy(), best.epoch());
            }
            if (cfg.control().checkpoint() != null) {
                saveCheckpoint();
            }
            bar.finish(summary(rec));
            if (beforeNote != null && log != null) {
                log.println(beforeNote);
            }
            healthWarning(rec).ifPresent(w -> {
                if (log != null) {
                    log.println(w);
                }
            });
        }
        if (stopReason != null && log != null) {
            log.println(stopReason);
        }
        if (cfg.control().keep() == Keep.BEST && !best.isEmpty()) {
            try (NDManager scope = manager.newSubManager()) {
                best.applyTo(target, scope);
            }
        }
        return Collections.unmodifiableList(history);
    }

    private void step(NDManager scope, int[] order, int from, int to, double lr, Totals t, long[] nanos) {
        NDArray x = data.train().features(scope, order, from, to);
        NDArray y = data.train().labels(scope, order, from, to);
        Step current = new Step(this, step, scope, order, from, to, x, y, lr);
        for (StepParticipant p : participants) {
            long t0 = System.nanoTime();
            p.beforeModels(current);
            nanos[p.role().ordinal()] += System.nanoTime() - t0;
        }
        for (StepParticipant p : participants) {
            long t0 = System.nanoTime();
            p.beforeTarget(current);
            nanos[p.role().ordinal()] += System.nanoTime() - t0;
        }
        long t0 = System.nanoTime();
        current.reseed(StepRole.TARGET);
        StepResult r = targetTraining.step(current);
        current.checkFinite("the target loss", r.loss());
        checkExplosion(r.loss());
        t.add(r);
        nanos[StepRole.TARGET.ordinal()] += System.nanoTime() - t0;
        for (StepParticipant p : participants) {
            long t1 = System.nanoTime();
            p.afterTarget(current);
            nanos[p.role().ordinal()] += System.nanoTime() - t1;
        }
    }

    /** A loss that grows to k× its initial value (mean of the first steps, over the last steps) stops the run. */
    private void checkExplosion(double loss) {
        if (cfg.control().maxLossRatio() <= 0) {
            return;
        }
        int k = (int) (step % INITIAL_STEPS);
        recentLosses[k] = loss;
        if (step < INITIAL_STEPS) {
            initialLossSum += loss;
            if (step == INITIAL_STEPS - 1) {
                initialLoss = initialLossSum / INITIAL_STEPS;
            }
            return;
        }
        if (Double.isNaN(initialLoss)) {
            return; // resumed past the first steps: the initial loss is restored from the checkpoint
        }
        double recent = 0;
        for (double v : recentLosses) {
            recent += v;
        }
        recent /= INITIAL_STEPS;
        if (recent > cfg.control().maxLossRatio() * initialLoss) {
            throw diverged(String.format(
                    "the target loss exploded: mean %.4g over the last %d steps, %.1fx the "
                            + "initial %.4g (--max-loss-ratio %s; lower --lr)",
                    recent,
                    INITIAL_STEPS,
                    recent / initialLoss,
                    initialLoss,
                    cfg.control().maxLossRatio()));
        }
    }

    void beforeBackward() {
        for (StepListener l : listeners) {
            l.beforeBackward();
        }
    }

    private void evaluate(EpochRecord rec) {
        if (data.validation() != null) {
            double[] r = Evaluation.evaluate(
                    target, data.validation(), cfg.training().evalBatchSize(), manager);
            rec.targetValLoss = r[0];
            rec.targetValAccuracy = r[1];
        }
        if (data.test() != null) {
            double[] r = Evaluation.evaluate(target, data.test(), cfg.training().evalBatchSize(), manager);
            rec.targetTestLoss = r[0];
            rec.targetTestAccuracy = r[1];
        }
        for (StepParticipant p : participants) {
            p.evaluate(rec);
        }
    }

    /** Chance-level or diverging accuracies after an epoch (on validation, else test). */
    private Optional<String> healthWarning(EpochRecord r) {
        boolean val = data.validation() != null;
        LabeledData set = val ? data.validation() : data.test();
        return set == null
                ? Optional.empty()
                : TrainingHealth.afterEpoch(
                        r.epoch + 1,
                        r.targetTrainAccuracy,
                        val ? r.targetValAccuracy : r.targetTestAccuracy,
                        set.size(),
                        data.train().classes(),
                        val ? "validation" : "test");
    }

    private String summary(EpochRecord r) {
        StringBuilder sb = new StringBuilder(String.format(
                "epoch %d: target train %.4f/%.2f%%", r.epoch + 1, r.targetTrainLoss, 100 * r.targetTrainAccuracy));
        if (!Double.isNaN(r.targetValAccuracy)) {
            sb.append(String.format(", val %.4f/%.2f%%", r.targetValLoss, 100 * r.targetValAccuracy));
            if (r.bestSoFar) {
                sb.append(" (best)");
            }
        }
        if (!Double.isNaN(r.sourceValAccuracy)) {
            sb.append(String.format("; source val %.2f%%", 100 * r.sourceValAccuracy));
        }
        if (!Double.isNaN(r.gateMean)) {
            sb.append(String.format("; gate %.4f", r.gateMean));
        }
        sb.append(String.format(
                "; %.1fs (target %.1f, source %.1f, adapter %.1f, eval %.1f)",
                r.secondsTotal, r.secondsTarget, r.secondsSource, r.secondsAdapter, r.secondsEval));
        return sb.toString();
    }

    /** Engine RNG seeded from (seed, step, role): dropout masks do not depend on what ran before. */
    void reseed(long stepIndex, StepRole role) {
        long h = cfg.training().seed() * 0x9E3779B97F4A7C15L
                + stepIndex * 0xBF58476D1CE4E5B9L
                + role.salt() * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        TorchEngine.setRandomSeed((int) (h & 0x7fffffff));
    }

    TrainingDivergedException diverged(String what) {
        long batches = BatchOrder.batches(data.train().size(), cfg.training().batchSize());
        return new TrainingDivergedException(String.format(
                "%s at step %d (epoch %d, batch %d); stopped, nothing exported. Last good checkpoint: %s",
                what,
                step,
                step / batches + 1,
                step % batches + 1,
                lastGoodCheckpoint == null ? "none (no epoch completed)" : lastGoodCheckpoint.toString()));
    }

    // ---- checkpoints: "model/" holds the weights to ship (best or last), the rest is the trainer's state ----

    private Map<String, String> fingerprint() {
        Map<String, String> f = new LinkedHashMap<>(cfg.fingerprint());
        f.putAll(identity);
        return f;
    }

    /**
     * What each checkpoint's header says for export (model SHA-256, head edit, input adaptation, class names,
     * lineage), given the history so far; without it a checkpoint can resume but not be exported.
     */
    public TransferRun exportHeader(Function<List<EpochRecord>, TrainingCheckpoint.Header> header) {
        this.exportHeader = header;
        return this;
    }

    /** The trainer's part of the checkpoint header (a JSON object the exporter does not read). */
    private static final class TrainerState {
        Map<String, String> fingerprint = new LinkedHashMap<>();
        int epochsDone;
        long step;
        /** The best-validation epoch (1-based) whose weights are under "model/" with --keep best; 0: none yet. */
        int bestEpoch;

        double bestValAccuracy = Double.NaN;
        double initialLoss = Double.NaN;
        Map<String, Long> counters = new LinkedHashMap<>();
        List<EpochRecord> history = new ArrayList<>();
    }

    private void saveCheckpoint() {
        TrainerState h = new TrainerState();
        h.fingerprint = fingerprint();
        h.epochsDone = epochsDone;
        h.step = step;
        h.history = new ArrayList<>(history);
        h.bestEpoch = best.epoch();
        h.bestValAccuracy = best.valAccuracy();
        h.initialLoss = initialLoss;
        Map<String, NDArray> t = new LinkedHashMap<>();
        // "model/" is what an export ships: the best epoch's weights with --keep best, else the current ones
        Map<String, NDArray> ship =
                cfg.control().keep() == Keep.BEST && !best.isEmpty() ? best.values() : BestWeights.all(target);
        ship.forEach((k, v) -> t.put(TrainingCheckpoint.MODEL + k, v));
        targetTraining.saveState(t, h.counters);
        for (StepParticipant p : participants) {
            p.saveState(t, h.counters);
        }
        TrainingCheckpoint.Header header = exportHeader != null
                ? exportHeader.apply(List.copyOf(history))
                : TrainingCheckpoint.Header.of(null, null, null, null, null);
        TrainingCheckpoint.write(
                cfg.control().checkpoint(),
                header.withTrainer(TRAINER_JSON.toJsonTree(h).getAsJsonObject()),
                t);
        lastGoodCheckpoint = cfg.control().checkpoint();
        checkpointEpoch = h.epochsDone;
    }

    private void restore() {
        if (cfg.control().checkpoint() == null) {
            throw new MergeNetException("--resume needs a checkpoint path");
        }
        try (NDManager scope = manager.newSubManager()) {
            TrainingCheckpoint.Contents c =
                    TrainingCheckpoint.read(cfg.control().checkpoint(), scope);
            Map<String, NDArray> t = c.tensors();
            TrainerState h = c.header().trainer() == null
                    ? null
                    : TRAINER_JSON.fromJson(c.header().trainer(), TrainerState.class);
            if (h == null) {
                throw new MergeNetException(cfg.control().checkpoint()
                        + ": holds no training state to resume (an export-only " + "checkpoint)");
            }
            List<String> diff = new ArrayList<>(differences(h.fingerprint, fingerprint()));
            // fewer epochs than already trained is a changed setting like any other; an unfinished run may end sooner
            if (cfg.training().epochs() < h.epochsDone) {
                diff.add("epochs " + h.epochsDone + " done -> " + cfg.training().epochs());
            }
            if (!diff.isEmpty()) {
                throw new MergeNetException(cfg.control().checkpoint() + ": written by a run with other settings: "
                        + String.join(", ", diff) + " (resume with the same settings; only --epochs may grow)");
            }
            SavedState saved = new SavedState(cfg.control().checkpoint(), t, h.counters);
            targetTraining.restoreState(saved, scope);
            for (StepParticipant p : participants) {
                p.restoreState(saved, scope);
            }
            if (h.bestEpoch > 0 && cfg.control().keep() == Keep.BEST) {
                best.restore(
                        TrainingCheckpoint.section(t, TrainingCheckpoint.MODEL),
                        h.bestEpoch,
                        h.bestValAccuracy,
                        manager);
            }
            initialLoss = h.initialLoss;
            history.clear();
            history.addAll(h.history);
            epochsDone = h.epochsDone;
            step = h.step;
            lastGoodCheckpoint = cfg.control().checkpoint();
            checkpointEpoch = epochsDone;
            if (log != null) {
                log.println(
                        "resumed from " + cfg.control().checkpoint() + " after epoch " + epochsDone + " (step " + step
                                + ")"
                                + (epochsDone >= cfg.training().epochs()
                                        ? "; nothing left to train (raise --epochs to extend)"
                                        : ""));
            }
        }
    }

    /** "name: checkpoint → this run" for every setting that differs. */
    static List<String> differences(Map<String, String> saved, Map<String, String> now) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>(now.keySet());
        keys.addAll(saved == null ? Map.<String, String>of().keySet() : saved.keySet());
        for (String k : keys) {
            String a = saved == null ? null : saved.get(k);
            String b = now.get(k);
            if (a == null ? b != null : !a.equals(b)) {
                out.add(k + " " + (a == null ? "(unset)" : a) + " -> " + (b == null ? "(unset)" : b));
            }
        }
        return out;
    }

    // ---- accessors for reports and tests ----

    public List<EpochRecord> history() {
        return Collections.unmodifiableList(history);
    }

    public long steps() {
        return step;
    }

    public ParameterOptimizer targetOptimizer() {
        return targetTraining.optimizer();
    }

    /** 1-based epoch whose weights the run ended with (the best validation epoch with --keep best, else the last). */
    public int keptEpoch() {
        return cfg.control().keep() == Keep.BEST && best.epoch() > 0 ? best.epoch() : epochsDone;
    }

    /** Why the run stopped before its last epoch (null: it did not). */
    public String stopReason() {
        return stopReason;
    }

    /** The checkpoint written after the last completed epoch (null: none). */
    public Path lastGoodCheckpoint() {
        return lastGoodCheckpoint;
    }

    /** The epoch the checkpoint on disk holds (0: none written yet). */
    public int checkpointEpoch() {
        return checkpointEpoch;
    }

    public int epochsDone() {
        return epochsDone;
    }

    /** The participant of this type, if the run has one. */
    public <P extends StepParticipant> Optional<P> participant(Class<P> type) {
        return participants.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Closes every participant (the subject's model and optimizer belong to the caller and its manager). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        participants.forEach(StepParticipant::close);
        targetTraining.close();
        best.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this transfer run was used after close()");
        }
    }
}
