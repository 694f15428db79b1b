package dev.mergenet.transfer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.exporters.TrainingCheckpoint;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.transfer.data.BatchOrder;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.mergenet.MergeNetTransfer;
import dev.mergenet.transfer.optim.AdamW;
import dev.mergenet.transfer.optim.LearningRateSchedule;
import dev.mergenet.transfer.optim.ParameterOptimizer;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.transfer.optim.SgdMomentum;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The training loop of one run: it owns the order of each step, timing, progress, epochs, the best epoch, early
 * stopping and checkpoints; what a step does is composed from the mode's participants: {@link TargetTraining}
 * always, {@link SourceCoTraining} for a co-trained source, a {@link FrozenTeacher} or the co-trained source's scores
 * for distillation, and {@link MergeNetTransfer} for the adapter modes. Per mini-batch (design note 4.4): inject W',
 * the source's step, the target's step (with the teacher's scores), the adapter's update. Batch order and every
 * dropout mask depend only on (seed, epoch, step), so all modes of a seed see the same data and a resumed run replays
 * exactly what an uninterrupted one does.
 */
public final class TransferRun {
    private static final int ROLE_ADAPTER = 1;
    private static final int ROLE_SOURCE = 2;
    private static final int ROLE_TARGET = 3;
    /** Steps whose mean loss is the "initial loss" that --max-loss-ratio compares against. */
    private static final int INITIAL_STEPS = 10;

    private final RunConfig cfg;
    private final TrainableModel target;
    private final TrainableModel source;
    private final DataSplits data;
    private final DataSplits sourceData;
    private final NDManager manager;
    private final PrintStream log;
    private final TargetTraining targetTraining;
    private final SourceCoTraining sourceTraining;
    private final MergeNetTransfer transfer;
    private final LearningRateSchedule targetSchedule;
    private final boolean perStepRate;
    private final List<EpochRecord> history = new ArrayList<>();
    private final BestWeights best = new BestWeights();
    private FrozenTeacher teacher;
    private Map<String, String> identity = Map.of();
    private long step;
    private int epochsDone;
    private Path lastGoodCheckpoint;
    private String stopReason;
    private double initialLoss = Double.NaN;
    private double initialLossSum;
    private final double[] recentLosses = new double[INITIAL_STEPS];
    private long abortAtStep = -1;
    private Function<List<EpochRecord>, TrainingCheckpoint.Header> exportHeader;
    private static final Gson TRAINER_JSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private Runnable beforeBackward = () -> { };
    private java.util.function.Supplier<String> beforeEvaluation = () -> null;

    /**
     * @param source     null in alone mode; distilled in kd modes; its matrices feed the adapter in MergeNet modes
     * @param sourceData the source's own data when it is co-trained on another set or task (null: the target's
     *                   batches)
     */
    public TransferRun(RunConfig cfg, TrainableModel target, TrainableModel source, List<PairSpec> pairSpecs,
                       DataSplits data, DataSplits sourceData, NDManager manager, PrintStream log) {
        this.cfg = cfg;
        this.target = target;
        this.source = cfg.mode() == Mode.ALONE ? null : source;
        this.data = data;
        this.sourceData = sourceData;
        this.manager = manager;
        this.log = log;
        Mode mode = cfg.mode();
        if (mode != Mode.ALONE && source == null) {
            throw new MergeNetException("--mode " + mode.cliName() + " needs a source model");
        }
        if (data.train().size() == 0) {
            throw new MergeNetException(data.train().origin() + ": no training samples");
        }
        checkClassCount(target, data.train(), manager);
        if (mode.distils() && sourceData != null) {
            throw new MergeNetException("--mode " + mode.cliName() + " distils on the target's batches; drop --source-data");
        }
        this.targetTraining = new TargetTraining(target, optimizer(), cfg.kdAlpha(), cfg.kdTemperature());
        boolean coTrained = this.source != null && !cfg.frozenSource()
                && (mode.distils() || (mode.usesAdapter() && !mode.randomSource()));
        this.sourceTraining = coTrained ? new SourceCoTraining(this.source, optimizer(),
                sourceData == null ? null : sourceData.train(), cfg.batchSize(), cfg.seed()) : null;
        if (mode.distils() && !coTrained) {
            this.teacher = new FrozenTeacher(this.source, data.train(), cfg.evalBatchSize());
        }
        this.targetSchedule = LearningRateSchedule.parse(cfg.schedule(), cfg.lr());
        this.perStepRate = LearningRateSchedule.perStep(cfg.schedule());
        long totalSteps = (long) cfg.epochs() * BatchOrder.batches(data.train().size(), cfg.batchSize());
        this.transfer = mode.usesAdapter()
                ? new MergeNetTransfer(cfg, target, this.source, pairSpecs, totalSteps, manager) : null;
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
            throw new MergeNetException(target.origin() + ": the model cannot run on samples of shape "
                    + train.sampleShape() + " from " + train.origin() + " (" + e.getMessage() + "); adapt the input "
                    + "(InputAdaptation: resize, channels, mean, std)", e);
        }
        if (width < train.classes()) {
            throw new MergeNetException(target.origin() + ": the model has " + (width < 0 ? "no [batch, classes]"
                    : width + " classes") + " but " + train.origin() + " has " + train.classes() + "; give it a new head"
                    + " for this data (ClassifierHead.replace(model, " + train.classes() + ", seed), or --num-classes "
                    + train.classes() + ")");
        }
    }

    /** The frozen teacher reads its own view of the training set (other resize or channels than the target's). */
    public TransferRun teacherView(LabeledData view) {
        if (teacher != null && view != null) {
            if (view.size() != data.train().size()) {
                throw new MergeNetException("the teacher's view of the data has " + view.size() + " samples, the "
                        + "target's " + data.train().size());
            }
            teacher = new FrozenTeacher(source, view, cfg.evalBatchSize());
        }
        return this;
    }

    /** Runs before each epoch's validation (precise BN); what it returns is logged after the epoch's line. */
    public TransferRun beforeEvaluation(java.util.function.Supplier<String> r) {
        this.beforeEvaluation = r == null ? () -> null : r;
        return this;
    }

    /** What the run's checkpoint must match besides the settings: model and data identity, by name. */
    public TransferRun identity(Map<String, String> id) {
        this.identity = Map.copyOf(id);
        return this;
    }

    private ParameterOptimizer optimizer() {
        return switch (cfg.optimizer().toLowerCase()) {
            case "sgd" -> new SgdMomentum(manager, cfg.momentum(), cfg.weightDecay());
            case "adamw" -> new AdamW(manager, 0.9, 0.999, 1e-8, cfg.weightDecay(), n -> false);
            default -> throw new MergeNetException("--optimizer " + cfg.optimizer() + ": expected sgd or adamw");
        };
    }

    /** Runs (or, with cfg.resume(), continues or extends) the training; returns the per-epoch history. */
    public List<EpochRecord> run() {
        if (cfg.resume()) {
            restore();
        }
        int batches = BatchOrder.batches(data.train().size(), cfg.batchSize());
        long runStart = System.nanoTime();
        long stepsAtStart = step;
        long totalSteps = (long) cfg.epochs() * batches;
        for (int epoch = epochsDone; epoch < cfg.epochs() && stopReason == null; epoch++) {
            EpochRecord rec = new EpochRecord();
            rec.epoch = epoch;
            rec.targetLr = perStepRate ? targetSchedule.rate(step, totalSteps) : targetSchedule.rate(epoch, cfg.epochs());
            long epochStart = System.nanoTime();
            int[] order = BatchOrder.forEpoch(data.train().size(), cfg.seed(), epoch);
            Totals t = new Totals();
            Totals s = new Totals();
            long[] nanos = new long[3];
            if (transfer != null) {
                transfer.startEpoch();
            }
            ProgressBar bar = new ProgressBar(log, String.format("epoch %d/%d", epoch + 1, cfg.epochs()), batches,
                    runStart, stepsAtStart, totalSteps);
            for (int b = 0; b < batches; b++) {
                int from = b * cfg.batchSize();
                int to = Math.min(from + cfg.batchSize(), order.length);
                double lr = perStepRate ? targetSchedule.rate(step, totalSteps) : rec.targetLr;
                try (NDManager scope = manager.newSubManager()) {
                    step(scope, order, from, to, lr, t, s, nanos);
                }
                step++;
                if (step == abortAtStep) {
                    throw new IllegalStateException("aborted at step " + step + " (test hook)");
                }
                bar.update(b + 1, step, t.loss / t.count, (double) t.correct / t.count, t.count);
            }
            rec.targetTrainLoss = t.loss / t.count;
            rec.targetTrainAccuracy = (double) t.correct / t.count;
            if (s.count > 0) {
                rec.sourceTrainLoss = s.loss / s.count;
                rec.sourceTrainAccuracy = (double) s.correct / s.count;
            }
            rec.secondsTarget = nanos[0] / 1e9;
            rec.secondsSource = nanos[1] / 1e9;
            rec.secondsAdapter = nanos[2] / 1e9;
            if (transfer != null) {
                transfer.summarize(rec);
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
            if (cfg.patience() > 0 && best.epoch() > 0 && epochsDone - best.epoch() >= cfg.patience()
                    && epochsDone < cfg.epochs()) {
                stopReason = String.format("early stop after epoch %d: no better validation accuracy for %d epochs "
                        + "(best %.2f%% at epoch %d)", epochsDone, cfg.patience(), 100 * best.valAccuracy(),
                        best.epoch());
            }
            if (cfg.checkpoint() != null) {
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
        if (cfg.keep() == RunConfig.Keep.BEST && !best.isEmpty()) {
            try (NDManager scope = manager.newSubManager()) {
                best.applyTo(target, scope);
            }
        }
        return Collections.unmodifiableList(history);
    }

    /** Running sums of one model's step results over an epoch. */
    private static final class Totals {
        double loss;
        long correct;
        long count;

        void add(StepResult r) {
            loss += r.loss() * r.count();
            correct += r.correct();
            count += r.count();
        }
    }

    private void step(NDManager scope, int[] order, int from, int to, double lr, Totals t, Totals s, long[] nanos) {
        NDArray x = data.train().features(scope, order, from, to);
        NDArray y = data.train().labels(scope, order, from, to);
        boolean transfers = transfer != null && transfer.transfersAt(step);
        long t0 = System.nanoTime();
        if (transfers) {
            reseed(ROLE_ADAPTER);
            transfer.inject(scope);
        }
        long t1 = System.nanoTime();
        NDArray teacherScores = null;
        boolean teacherProbabilities = false;
        if (sourceTraining != null) {
            reseed(ROLE_SOURCE);
            StepResult r = sourceTraining.step(step, x, y, lr, scope, beforeBackward);
            checkFinite("the source loss", r.loss());
            s.add(r);
            if (cfg.mode().distils()) {
                teacherScores = sourceTraining.lastScores();
                teacherProbabilities = source.outputsProbabilities();
            }
        } else if (teacher != null) {
            teacherScores = teacher.scores(order, from, to, scope, manager);
            teacherProbabilities = source.outputsProbabilities();
        }
        long t2 = System.nanoTime();
        reseed(ROLE_TARGET);
        StepResult r = targetTraining.step(x, y, teacherScores, teacherProbabilities, lr, scope, beforeBackward);
        checkFinite("the target loss", r.loss());
        checkExplosion(r.loss());
        t.add(r);
        long t3 = System.nanoTime();
        if (transfers) {
            transfer.update(lr, scope, beforeBackward);
        }
        long t4 = System.nanoTime();
        nanos[0] += t3 - t2;
        nanos[1] += t2 - t1;
        nanos[2] += (t1 - t0) + (t4 - t3);
    }

    private void checkFinite(String what, double value) {
        if (!Double.isFinite(value)) {
            throw diverged(what + " is " + value);
        }
    }

    /** A loss that grows to k× its initial value (mean of the first steps, over the last steps) stops the run. */
    private void checkExplosion(double loss) {
        if (cfg.maxLossRatio() <= 0) {
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
        if (recent > cfg.maxLossRatio() * initialLoss) {
            throw diverged(String.format("the target loss exploded: mean %.4g over the last %d steps, %.1fx the "
                    + "initial %.4g (--max-loss-ratio %s; lower --lr)", recent, INITIAL_STEPS, recent / initialLoss,
                    initialLoss, cfg.maxLossRatio()));
        }
    }

    /** Test hook: runs before every backward pass (tests use it to free and reuse native memory there). */
    void beforeBackward(Runnable hook) {
        this.beforeBackward = hook;
    }

    /** Test hook: throw after this many steps, as if the process were killed mid-epoch. */
    void abortAtStep(long s) {
        this.abortAtStep = s;
    }

    private void evaluate(EpochRecord rec) {
        if (data.validation() != null) {
            double[] r = Evaluation.evaluate(target, data.validation(), cfg.evalBatchSize(), manager);
            rec.targetValLoss = r[0];
            rec.targetValAccuracy = r[1];
        }
        if (data.test() != null) {
            double[] r = Evaluation.evaluate(target, data.test(), cfg.evalBatchSize(), manager);
            rec.targetTestLoss = r[0];
            rec.targetTestAccuracy = r[1];
        }
        if (sourceTraining != null) {
            LabeledData sv = sourceData != null ? sourceData.validation() : data.validation();
            if (sv != null) {
                double[] r = Evaluation.evaluate(source, sv, cfg.evalBatchSize(), manager);
                rec.sourceValLoss = r[0];
                rec.sourceValAccuracy = r[1];
            }
        }
    }

    /** Chance-level or diverging accuracies after an epoch (on validation, else test). */
    private java.util.Optional<String> healthWarning(EpochRecord r) {
        boolean val = data.validation() != null;
        LabeledData set = val ? data.validation() : data.test();
        return set == null ? java.util.Optional.empty() : dev.mergenet.transfer.report.TrainingHealth.afterEpoch(
                r.epoch + 1, r.targetTrainAccuracy, val ? r.targetValAccuracy : r.targetTestAccuracy, set.size(),
                data.train().classes(), val ? "validation" : "test");
    }

    private String summary(EpochRecord r) {
        StringBuilder sb = new StringBuilder(String.format("epoch %d: target train %.4f/%.2f%%", r.epoch + 1,
                r.targetTrainLoss, 100 * r.targetTrainAccuracy));
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
        sb.append(String.format("; %.1fs (target %.1f, source %.1f, adapter %.1f, eval %.1f)", r.secondsTotal,
                r.secondsTarget, r.secondsSource, r.secondsAdapter, r.secondsEval));
        return sb.toString();
    }

    /** Engine RNG seeded from (seed, step, role): dropout masks do not depend on what ran before. */
    private void reseed(int role) {
        long h = cfg.seed() * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + role * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        TorchEngine.setRandomSeed((int) (h & 0x7fffffff));
    }

    private TrainingDivergedException diverged(String what) {
        long batches = BatchOrder.batches(data.train().size(), cfg.batchSize());
        return new TrainingDivergedException(String.format(
                "%s at step %d (epoch %d, batch %d); stopped, nothing exported. Last good checkpoint: %s", what,
                step, step / batches + 1, step % batches + 1,
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
        Map<String, NDArray> ship = cfg.keep() == RunConfig.Keep.BEST && !best.isEmpty() ? best.values()
                : BestWeights.all(target);
        ship.forEach((k, v) -> t.put(TrainingCheckpoint.MODEL + k, v));
        target.weights().forEach((k, v) -> t.put("target.w/" + k, v));
        target.state().forEach((k, v) -> t.put("target.s/" + k, v));
        targetTraining.optimizer().stateArrays().forEach((k, v) -> t.put("opt.target/" + k, v));
        h.counters.put("opt.target", targetTraining.optimizer().steps());
        if (sourceTraining != null) {
            source.weights().forEach((k, v) -> t.put("source.w/" + k, v));
            source.state().forEach((k, v) -> t.put("source.s/" + k, v));
            sourceTraining.optimizer().stateArrays().forEach((k, v) -> t.put("opt.source/" + k, v));
            h.counters.put("opt.source", sourceTraining.optimizer().steps());
        }
        if (transfer != null) {
            t.putAll(transfer.stateArrays());
            h.counters.putAll(transfer.counters());
        }
        TrainingCheckpoint.Header header = exportHeader != null ? exportHeader.apply(List.copyOf(history))
                : TrainingCheckpoint.Header.of(null, null, null, null, null);
        TrainingCheckpoint.write(cfg.checkpoint(), header.withTrainer(TRAINER_JSON.toJsonTree(h).getAsJsonObject()),
                t);
        lastGoodCheckpoint = cfg.checkpoint();
    }

    private void restore() {
        if (cfg.checkpoint() == null) {
            throw new MergeNetException("--resume needs a checkpoint path");
        }
        try (NDManager scope = manager.newSubManager()) {
            TrainingCheckpoint.Contents c = TrainingCheckpoint.read(cfg.checkpoint(), scope);
            Map<String, NDArray> t = c.tensors();
            TrainerState h = c.header().trainer() == null ? null
                    : TRAINER_JSON.fromJson(c.header().trainer(), TrainerState.class);
            if (h == null) {
                throw new MergeNetException(cfg.checkpoint() + ": holds no training state to resume (an export-only "
                        + "checkpoint)");
            }
            List<String> diff = differences(h.fingerprint, fingerprint());
            if (!diff.isEmpty()) {
                throw new MergeNetException(cfg.checkpoint() + ": written by a run with other settings: "
                        + String.join(", ", diff) + " (resume with the same settings; only --epochs may grow)");
            }
            assignAll(target.weights(), t, "target.w/", scope);
            assignAll(target.state(), t, "target.s/", scope);
            targetTraining.optimizer().restore(TrainingCheckpoint.section(t, "opt.target/"), h.counters.getOrDefault("opt.target", 0L));
            if (sourceTraining != null) {
                assignAll(source.weights(), t, "source.w/", scope);
                assignAll(source.state(), t, "source.s/", scope);
                sourceTraining.optimizer().restore(TrainingCheckpoint.section(t, "opt.source/"), h.counters.getOrDefault("opt.source", 0L));
            }
            if (transfer != null) {
                transfer.restore(t, h.counters, scope);
            }
            if (h.bestEpoch > 0 && cfg.keep() == RunConfig.Keep.BEST) {
                best.restore(TrainingCheckpoint.section(t, TrainingCheckpoint.MODEL), h.bestEpoch, h.bestValAccuracy, manager);
            }
            initialLoss = h.initialLoss;
            history.clear();
            history.addAll(h.history);
            epochsDone = h.epochsDone;
            step = h.step;
            lastGoodCheckpoint = cfg.checkpoint();
            if (log != null) {
                log.println("resumed from " + cfg.checkpoint() + " after epoch " + epochsDone + " (step " + step
                        + ")" + (epochsDone >= cfg.epochs() ? "; nothing left to train (raise --epochs to extend)"
                        : ""));
            }
        }
    }

    /** "name: checkpoint → this run" for every setting that differs. */
    static List<String> differences(Map<String, String> saved, Map<String, String> now) {
        List<String> out = new ArrayList<>();
        java.util.Set<String> keys = new java.util.LinkedHashSet<>(now.keySet());
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


    private void assignAll(Map<String, NDArray> dst, Map<String, NDArray> all, String prefix, NDManager scope) {
        Map<String, NDArray> src = TrainingCheckpoint.section(all, prefix);
        for (Map.Entry<String, NDArray> e : dst.entrySet()) {
            NDArray v = src.get(e.getKey());
            if (v == null) {
                throw new MergeNetException(cfg.checkpoint() + ": checkpoint has no tensor " + prefix + e.getKey());
            }
            Scopes.assign(e.getValue(), v.toDevice(e.getValue().getDevice(), false), scope);
        }
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
        return cfg.keep() == RunConfig.Keep.BEST && best.epoch() > 0 ? best.epoch() : epochsDone;
    }

    /** Why the run stopped before its last epoch (null: it did not). */
    public String stopReason() {
        return stopReason;
    }

    /** The checkpoint written after the last completed epoch (null: none). */
    public Path lastGoodCheckpoint() {
        return lastGoodCheckpoint;
    }

    public int epochsDone() {
        return epochsDone;
    }

    /** δ of the last adapter update of pair i, on the host. */
    public float[] lastDelta(int pair) {
        return transfer.lastDelta(pair);
    }

    public dev.mergenet.transfer.adapter.ParameterAdapter adapter(int pair) {
        return transfer.adapter(pair);
    }

    public MergeNetTransfer transfer() {
        return transfer;
    }

    public int pairCount() {
        return transfer == null ? 0 : transfer.pairCount();
    }

    public long adapterParameterCount() {
        return transfer == null ? 0 : transfer.parameterCount();
    }
}
