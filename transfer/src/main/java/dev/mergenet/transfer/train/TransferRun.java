package dev.mergenet.transfer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.mergenet.exporters.TrainingCheckpoint;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.transfer.adapter.ParameterAdapter;
import dev.mergenet.transfer.data.BatchOrder;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.optim.AdamW;
import dev.mergenet.transfer.optim.GradientClipping;
import dev.mergenet.transfer.optim.LearningRateSchedule;
import dev.mergenet.transfer.optim.ParameterOptimizer;
import dev.mergenet.transfer.optim.Scopes;
import dev.mergenet.transfer.optim.SgdMomentum;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * One training run of a target classifier, alone or with a source (design note section 4.4, in this order per
 * mini-batch): on a transfer step the adapter generates W' from the target's and source's current matrices and
 * W' overwrites the target weight (its momentum buffer is kept); the source takes its SGD step; the target takes
 * its SGD step from W'; then the adapter is updated by the VJP of W' with δ = W' − W_after, clipped to global
 * norm 50, with AdamW. Transfers stop after {@code transferUntil} of the steps (the rest is plain training). Batch order and every dropout mask depend only on (seed, epoch, step), so all modes of a
 * seed see the same data and a resumed run replays exactly what an uninterrupted one does.
 */
public final class TransferRun {
    private static final int ROLE_ADAPTER = 1;
    private static final int ROLE_SOURCE = 2;
    private static final int ROLE_TARGET = 3;

    private final RunConfig cfg;
    private final TrainableModel target;
    private final TrainableModel source;
    private final DataSplits data;
    private final DataSplits sourceData;
    private final NDManager manager;
    private final PrintStream log;
    private final ParameterOptimizer targetOpt;
    private final ParameterOptimizer sourceOpt;
    private final boolean sourceTrains;
    private final List<PairState> pairs = new ArrayList<>();
    private final List<EpochRecord> history = new ArrayList<>();
    private final LearningRateSchedule targetSchedule;
    private final long transferEndStep;
    private long step;
    private int epochsDone;
    private Path lastGoodCheckpoint;
    private Function<List<EpochRecord>, TrainingCheckpoint.Header> exportHeader;
    private static final Gson TRAINER_JSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    /** One adapted layer pair with its adapter, optimiser and (for frozen/random sources) fixed source matrix. */
    private static final class PairState {
        final PairSpec spec;
        final Shape targetShape;
        final int m;
        final int n;
        ParameterAdapter adapter;
        AdamW optimizer;
        NDArray fixedSource;
        NDArray generated;
        NDArray lastDelta;
        long updates;
        long totalUpdates;
        double gradNormSum;
        double deltaNormSum;
        double jumpSum;
        int epochUpdates;
        int epochInjections;

        PairState(PairSpec spec, Shape targetShape, int m, int n) {
            this.spec = spec;
            this.targetShape = targetShape;
            this.m = m;
            this.n = n;
        }
    }

    /**
     * @param source     null in alone mode; in kd mode its scores are distilled; in mergenet modes its matrices
     *                   feed the adapter
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
        if (cfg.mode() != Mode.ALONE && source == null) {
            throw new MergeNetException("--mode " + cfg.mode().cliName() + " needs a source model");
        }
        if (data.train().size() == 0) {
            throw new MergeNetException(data.train().origin() + ": no training samples");
        }
        this.sourceTrains = this.source != null && !cfg.frozenSource()
                && (cfg.mode() == Mode.MERGENET || cfg.mode() == Mode.KD);
        this.targetOpt = optimizer();
        this.sourceOpt = sourceTrains ? optimizer() : null;
        this.targetSchedule = LearningRateSchedule.parse(cfg.schedule(), cfg.lr());
        if (cfg.mode() == Mode.KD) {
            if (sourceData != null) {
                throw new MergeNetException("--mode kd distils on the target's batches; drop --source-data");
            }
        }
        long totalSteps = (long) cfg.epochs() * BatchOrder.batches(data.train().size(), cfg.batchSize());
        this.transferEndStep = Math.round(cfg.transferUntil() * totalSteps);
        if (cfg.mode().usesAdapter()) {
            for (int i = 0; i < pairSpecs.size(); i++) {
                pairs.add(buildPair(pairSpecs.get(i), i, transferEndStep));
            }
        }
    }

    private ParameterOptimizer optimizer() {
        return switch (cfg.optimizer().toLowerCase()) {
            case "sgd" -> new SgdMomentum(manager, cfg.momentum(), cfg.weightDecay());
            case "adamw" -> new AdamW(manager, 0.9, 0.999, 1e-8, cfg.weightDecay(), n -> false);
            default -> throw new MergeNetException("--optimizer " + cfg.optimizer() + ": expected sgd or adamw");
        };
    }

    private PairState buildPair(PairSpec spec, int index, long transferSteps) {
        NDArray tw = target.weights().get(spec.target());
        NDArray sw = source.weights().get(spec.source());
        int[] tm = MatrixView.matrixShape(target, spec.target());
        int[] sm = MatrixView.matrixShape(source, spec.source());
        PairState p = new PairState(spec, tw.getShape(), tm[0], tm[1]);
        int rows = cfg.rank() > 0 ? cfg.rank() : sm[0];
        int cols = sm[1];
        boolean fixed = cfg.frozenSource() || cfg.mode() == Mode.RANDOM_SOURCE;
        if (fixed) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray s = sourceMatrix(spec.source(), sw, scope);
                if (cfg.mode() == Mode.RANDOM_SOURCE) {
                    s = randomLike(s, cfg.seed() * 7919 + index, scope);
                }
                p.fixedSource = s.duplicate();
                p.fixedSource.attach(manager);
            }
        }
        p.adapter = new ParameterAdapter(manager, tw.getDataType(), tm[0], tm[1], rows, cols, cfg.adapter(),
                cfg.seed() * 31 + index);
        p.optimizer = AdamW.forAdapter(manager, cfg.adapterWeightDecay());
        p.totalUpdates = cfg.cycle() > 0 ? (transferSteps + cfg.cycle() - 1) / cfg.cycle() : 0;
        return p;
    }

    /** The source weight as the adapter sees it: [p, q], or its rank-r factor √Σ·Vᵀ. */
    private NDArray sourceMatrix(String name, NDArray weight, NDManager scope) {
        NDArray s = MatrixView.toMatrix(source, name, Scopes.alias(weight, scope).stopGradient());
        return cfg.rank() > 0 ? LowRankFactor.factorA(s, cfg.rank(), scope) : s.duplicate();
    }

    /** Control A: a fixed Gaussian matrix with the shape and RMS of the real source matrix. */
    private static NDArray randomLike(NDArray s, long seed, NDManager scope) {
        double rms = Math.sqrt(s.toType(DataType.FLOAT64, false).square().mean().getDouble());
        Random r = new Random(seed);
        double[] v = new double[Math.toIntExact(s.getShape().size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * rms;
        }
        return scope.create(v, s.getShape()).toType(s.getDataType(), false).toDevice(s.getDevice(), false);
    }

    /** Runs (or, with cfg.resume(), continues) the training; returns the per-epoch history. */
    public List<EpochRecord> run() {
        if (cfg.resume()) {
            restore();
        }
        int batches = BatchOrder.batches(data.train().size(), cfg.batchSize());
        for (int epoch = epochsDone; epoch < cfg.epochs(); epoch++) {
            EpochRecord rec = new EpochRecord();
            rec.epoch = epoch;
            rec.targetLr = targetSchedule.rate(epoch, cfg.epochs());
            long epochStart = System.nanoTime();
            int[] order = BatchOrder.forEpoch(data.train().size(), cfg.seed(), epoch);
            double lossSum = 0;
            long correct = 0;
            double sourceLossSum = 0;
            long sourceCorrect = 0;
            long sourceSeen = 0;
            long seen = 0;
            long[] nanos = new long[3];
            pairs.forEach(p -> {
                p.gradNormSum = 0;
                p.deltaNormSum = 0;
                p.jumpSum = 0;
                p.epochUpdates = 0;
                p.epochInjections = 0;
            });
            ProgressBar bar = new ProgressBar(log, String.format("epoch %d/%d", epoch + 1, cfg.epochs()), batches);
            for (int b = 0; b < batches; b++) {
                int from = b * cfg.batchSize();
                int to = Math.min(from + cfg.batchSize(), order.length);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = data.train().features(scope, order, from, to);
                    NDArray y = data.train().labels(scope, order, from, to);
                    boolean transfer = !pairs.isEmpty() && cfg.cycle() > 0 && step % cfg.cycle() == 0
                            && step < transferEndStep;
                    long t0 = System.nanoTime();
                    if (transfer) {
                        inject(scope);
                    }
                    long t1 = System.nanoTime();
                    NDArray sourceScores = null;
                    if (sourceTrains) {
                        double[] sres = sourceStep(scope, x, y, rec.targetLr);
                        sourceLossSum += sres[0] * sres[2];
                        sourceCorrect += (long) sres[1];
                        sourceSeen += (long) sres[2];
                        sourceScores = lastSourceScores;
                    } else if (cfg.mode() == Mode.KD) {
                        sourceScores = source.forward(x, false).stopGradient();
                    }
                    long t2 = System.nanoTime();
                    double[] tres = targetStep(scope, x, y, sourceScores, rec.targetLr, epoch, b);
                    long t3 = System.nanoTime();
                    if (transfer) {
                        updateAdapters(scope);
                    }
                    long t4 = System.nanoTime();
                    nanos[0] += t3 - t2;
                    nanos[1] += t2 - t1;
                    nanos[2] += (t1 - t0) + (t4 - t3);
                    lossSum += tres[0] * (to - from);
                    correct += (long) tres[1];
                    seen += to - from;
                }
                step++;
                if (step == abortAtStep) {
                    throw new IllegalStateException("aborted at step " + step + " (test hook)");
                }
                bar.update(b + 1, lossSum / seen, (double) correct / seen, seen);
            }
            rec.targetTrainLoss = lossSum / seen;
            rec.targetTrainAccuracy = (double) correct / seen;
            if (sourceTrains && sourceSeen > 0) {
                rec.sourceTrainLoss = sourceLossSum / sourceSeen;
                rec.sourceTrainAccuracy = (double) sourceCorrect / sourceSeen;
            }
            rec.secondsTarget = nanos[0] / 1e9;
            rec.secondsSource = nanos[1] / 1e9;
            rec.secondsAdapter = nanos[2] / 1e9;
            summarizeAdapters(rec);
            long evalStart = System.nanoTime();
            evaluate(rec);
            rec.secondsEval = (System.nanoTime() - evalStart) / 1e9;
            rec.secondsTotal = (System.nanoTime() - epochStart) / 1e9;
            history.add(rec);
            epochsDone = epoch + 1;
            if (cfg.checkpoint() != null) {
                saveCheckpoint();
            }
            bar.finish(summary(rec));
        }
        return Collections.unmodifiableList(history);
    }

    private NDArray lastSourceScores;
    private long abortAtStep = -1;
    private Runnable beforeBackward = () -> { };

    /** Test hook: runs before every backward pass (tests use it to free and reuse native memory there). */
    void beforeBackward(Runnable hook) {
        this.beforeBackward = hook;
    }

    /** Test hook: throw after this many steps, as if the process were killed mid-epoch. */
    void abortAtStep(long s) {
        this.abortAtStep = s;
    }

    private void inject(NDManager scope) {
        reseed(ROLE_ADAPTER);
        for (PairState p : pairs) {
            NDArray weight = target.weights().get(p.spec.target());
            NDArray t = MatrixView.toMatrix(target, p.spec.target(), Scopes.alias(weight, scope).stopGradient())
                    .duplicate();
            NDArray s = p.fixedSource != null ? Scopes.alias(p.fixedSource, scope)
                    : sourceMatrix(p.spec.source(), source.weights().get(p.spec.source()), scope);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                p.generated = p.adapter.forward(t, s, !cfg.evalGeneration(), scope);
            }
            NDArray w = p.generated.stopGradient();
            p.jumpSum += w.sub(t).norm().toType(DataType.FLOAT64, false).getDouble()
                    / Math.max(t.norm().toType(DataType.FLOAT64, false).getDouble(), 1e-12);
            p.epochInjections++;
            Scopes.assign(weight, MatrixView.fromMatrix(target, p.spec.target(), w, p.targetShape), scope);
        }
    }

    /** Source SGD step on its batch; returns {loss, correct, count}; keeps its scores for KD. */
    private double[] sourceStep(NDManager scope, NDArray x, NDArray y, double lr) {
        NDArray xs = x;
        NDArray ys = y;
        if (sourceData != null) {
            LabeledData st = sourceData.train();
            int sb = BatchOrder.batches(st.size(), cfg.batchSize());
            int sEpoch = (int) (step / sb);
            int b = (int) (step % sb);
            int[] order = BatchOrder.forEpoch(st.size(), cfg.seed() + 7_777, sEpoch);
            int from = b * cfg.batchSize();
            int to = Math.min(from + cfg.batchSize(), order.length);
            xs = st.features(scope, order, from, to);
            ys = st.labels(scope, order, from, to);
        }
        source.weights().values().forEach(Scopes::zeroGradient);
        reseed(ROLE_SOURCE);
        NDArray loss;
        NDArray scores;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            scores = source.forward(xs, true);
            loss = Losses.crossEntropy(Losses.logProbabilities(scores, source.outputsProbabilities()), ys);
            beforeBackward.run();
            gc.backward(loss);
        }
        double value = loss.toType(DataType.FLOAT64, false).getDouble();
        if (!Double.isFinite(value)) {
            throw diverged("the source loss", value);
        }
        sourceOpt.step(source.weights(), lr, scope);
        lastSourceScores = scores.stopGradient();
        return new double[] {value, Losses.correct(scores, ys), ys.getShape().get(0)};
    }

    private double[] targetStep(NDManager scope, NDArray x, NDArray y, NDArray sourceScores, double lr, int epoch,
                                int batch) {
        target.weights().values().forEach(Scopes::zeroGradient);
        reseed(ROLE_TARGET);
        NDArray loss;
        NDArray scores;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            scores = target.forward(x, true);
            loss = Losses.crossEntropy(Losses.logProbabilities(scores, target.outputsProbabilities()), y);
            if (cfg.mode() == Mode.KD && sourceScores != null) {
                NDArray kd = Losses.distillation(scores, target.outputsProbabilities(), sourceScores,
                        source.outputsProbabilities(), cfg.kdTemperature());
                loss = ScalarMath.mul(loss, 1 - cfg.kdAlpha()).add(ScalarMath.mul(kd, cfg.kdAlpha()));
            }
            beforeBackward.run();
            gc.backward(loss);
        }
        double value = loss.toType(DataType.FLOAT64, false).getDouble();
        if (!Double.isFinite(value)) {
            throw diverged("the target loss", value);
        }
        targetOpt.step(target.weights(), lr, scope);
        return new double[] {value, Losses.correct(scores, y)};
    }

    private void updateAdapters(NDManager scope) {
        for (PairState p : pairs) {
            NDArray after = MatrixView.toMatrix(target, p.spec.target(),
                    Scopes.alias(target.weights().get(p.spec.target()), scope).stopGradient());
            NDArray delta = p.generated.stopGradient().sub(after).duplicate();
            p.adapter.arrays().parameters().values().forEach(Scopes::zeroGradient);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray objective = p.generated.mul(delta.stopGradient()).sum();
                beforeBackward.run();
                gc.backward(objective);
            }
            double norm = GradientClipping.clipGlobalNorm(p.adapter.arrays().parameters().values(),
                    cfg.adapterClip(), scope);
            if (!Double.isFinite(norm)) {
                List<String> bad = new ArrayList<>();
                p.adapter.arrays().parameters().forEach((k, v) -> {
                    if (v.hasGradient() && !Double.isFinite(v.getGradient().toType(DataType.FLOAT64, false)
                            .abs().sum().getDouble())) {
                        bad.add(k);
                    }
                });
                throw diverged("the adapter gradient norm for " + p.spec.target() + " (non-finite in "
                        + String.join(", ", bad.subList(0, Math.min(4, bad.size()))) + ")", norm);
            }
            long warm = Math.round(cfg.adapterWarm() * p.totalUpdates);
            double lr = LearningRateSchedule.constantThenCosine(cfg.adapterLr(), warm)
                    .rate(p.updates, p.totalUpdates);
            p.optimizer.step(p.adapter.arrays().parameters(), lr, scope);
            p.updates++;
            p.epochUpdates++;
            p.gradNormSum += norm;
            p.deltaNormSum += delta.norm().toType(DataType.FLOAT64, false).getDouble();
            if (p.lastDelta != null) {
                p.lastDelta.close();
            }
            p.lastDelta = delta;
            p.lastDelta.attach(manager);
            p.generated = null;
        }
    }

    private void summarizeAdapters(EpochRecord rec) {
        if (pairs.isEmpty()) {
            return;
        }
        int updates = 0;
        double grad = 0;
        double delta = 0;
        double jump = 0;
        int injections = 0;
        for (PairState p : pairs) {
            updates += p.epochUpdates;
            grad += p.gradNormSum;
            delta += p.deltaNormSum;
            jump += p.jumpSum;
            injections += p.epochInjections;
        }
        rec.adapterUpdates = updates;
        if (updates > 0) {
            rec.adapterGradNorm = grad / updates;
            rec.adapterDeltaNorm = delta / updates;
        }
        if (injections > 0) {
            rec.injectionRelativeJump = jump / injections;
        }
        PairState first = pairs.get(0);
        long warm = Math.round(cfg.adapterWarm() * first.totalUpdates);
        rec.adapterLr = LearningRateSchedule.constantThenCosine(cfg.adapterLr(), warm)
                .rate(Math.max(first.updates - 1, 0), first.totalUpdates);
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
        if (sourceTrains) {
            LabeledData sv = sourceData != null ? sourceData.validation() : data.validation();
            if (sv != null) {
                double[] r = Evaluation.evaluate(source, sv, cfg.evalBatchSize(), manager);
                rec.sourceValLoss = r[0];
                rec.sourceValAccuracy = r[1];
            }
        }
    }

    private String summary(EpochRecord r) {
        StringBuilder sb = new StringBuilder(String.format("epoch %d: target train %.4f/%.2f%%", r.epoch + 1,
                r.targetTrainLoss, 100 * r.targetTrainAccuracy));
        if (!Double.isNaN(r.targetValAccuracy)) {
            sb.append(String.format(", val %.4f/%.2f%%", r.targetValLoss, 100 * r.targetValAccuracy));
        }
        if (!Double.isNaN(r.sourceValAccuracy)) {
            sb.append(String.format("; source val %.2f%%", 100 * r.sourceValAccuracy));
        }
        sb.append(String.format("; %.1fs (target %.1f, source %.1f, adapter %.1f, eval %.1f)", r.secondsTotal,
                r.secondsTarget, r.secondsSource, r.secondsAdapter, r.secondsEval));
        return sb.toString();
    }

    /** Engine RNG seeded from (seed, step, role): dropout masks do not depend on what ran before. */
    private void reseed(int role) {
        long h = cfg.seed() * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + role * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        Engine.getEngine("PyTorch").setRandomSeed((int) (h & 0x7fffffff));
    }

    private TrainingDivergedException diverged(String what, double value) {
        long batches = BatchOrder.batches(data.train().size(), cfg.batchSize());
        return new TrainingDivergedException(String.format(
                "%s is %s at step %d (epoch %d, batch %d); stopped. Last good checkpoint: %s", what, value,
                step, step / batches + 1, step % batches + 1,
                lastGoodCheckpoint == null ? "none (no epoch completed)" : lastGoodCheckpoint.toString()));
    }

    // ---- checkpoints ----

    /**
     * What each checkpoint's header says for export (model SHA-256, head edit, input adaptation, class names,
     * lineage), given the history so far; without it a checkpoint can resume but not be exported.
     */
    public void exportHeader(Function<List<EpochRecord>, TrainingCheckpoint.Header> header) {
        this.exportHeader = header;
    }

    /** The trainer's part of the header: fingerprint, progress counters and history. */
    private static final class TrainerState {
        String fingerprint;
        int epochsDone;
        long step;
        Map<String, Long> counters = new LinkedHashMap<>();
        List<EpochRecord> history = new ArrayList<>();
    }

    private void saveCheckpoint() {
        TrainerState h = new TrainerState();
        h.fingerprint = cfg.fingerprint();
        h.epochsDone = epochsDone;
        h.step = step;
        h.history = new ArrayList<>(history);
        Map<String, NDArray> t = new LinkedHashMap<>();
        // the target's current weights and statistics are what an export ships
        target.weights().forEach((k, v) -> t.put(TrainingCheckpoint.MODEL + k, v));
        target.state().forEach((k, v) -> t.put(TrainingCheckpoint.MODEL + k, v));
        targetOpt.stateArrays().forEach((k, v) -> t.put("opt.target/" + k, v));
        h.counters.put("opt.target", targetOpt.steps());
        if (sourceTrains) {
            source.weights().forEach((k, v) -> t.put("source.w/" + k, v));
            source.state().forEach((k, v) -> t.put("source.s/" + k, v));
            sourceOpt.stateArrays().forEach((k, v) -> t.put("opt.source/" + k, v));
            h.counters.put("opt.source", sourceOpt.steps());
        }
        for (int i = 0; i < pairs.size(); i++) {
            PairState p = pairs.get(i);
            String pre = "pair" + i;
            p.adapter.arrays().parameters().forEach((k, v) -> t.put(pre + ".p/" + k, v));
            p.adapter.arrays().buffers().forEach((k, v) -> t.put(pre + ".b/" + k, v));
            p.optimizer.stateArrays().forEach((k, v) -> t.put(pre + ".opt/" + k, v));
            h.counters.put(pre + ".opt", p.optimizer.steps());
            h.counters.put(pre + ".updates", p.updates);
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
            if (h == null || !cfg.fingerprint().equals(h.fingerprint)) {
                throw new MergeNetException(cfg.checkpoint() + ": written by a run with other settings ("
                        + (h == null ? "none recorded" : h.fingerprint) + "); this run is " + cfg.fingerprint());
            }
            assignAll(target.weights(), t, TrainingCheckpoint.MODEL, scope);
            assignAll(target.state(), t, TrainingCheckpoint.MODEL, scope);
            targetOpt.restore(strip(t, "opt.target/"), h.counters.getOrDefault("opt.target", 0L));
            if (sourceTrains) {
                assignAll(source.weights(), t, "source.w/", scope);
                assignAll(source.state(), t, "source.s/", scope);
                sourceOpt.restore(strip(t, "opt.source/"), h.counters.getOrDefault("opt.source", 0L));
            }
            for (int i = 0; i < pairs.size(); i++) {
                PairState p = pairs.get(i);
                String pre = "pair" + i;
                assignAll(p.adapter.arrays().parameters(), t, pre + ".p/", scope);
                strip(t, pre + ".b/").forEach((k, v) -> p.adapter.arrays().restoreBuffer(k, v));
                p.optimizer.restore(strip(t, pre + ".opt/"), h.counters.getOrDefault(pre + ".opt", 0L));
                p.updates = h.counters.getOrDefault(pre + ".updates", 0L);
            }
            history.clear();
            history.addAll(h.history);
            epochsDone = h.epochsDone;
            step = h.step;
            lastGoodCheckpoint = cfg.checkpoint();
            if (log != null) {
                log.println("resumed from " + cfg.checkpoint() + " after epoch " + epochsDone + " (step " + step + ")");
            }
        }
    }

    private static Map<String, NDArray> strip(Map<String, NDArray> all, String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private void assignAll(Map<String, NDArray> dst, Map<String, NDArray> all, String prefix, NDManager scope) {
        Map<String, NDArray> src = strip(all, prefix);
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
        return targetOpt;
    }

    /** δ of the last adapter update of pair i, on the host. */
    public float[] lastDelta(int pair) {
        NDArray d = pairs.get(pair).lastDelta;
        return d == null ? null : d.toType(DataType.FLOAT32, false).toFloatArray();
    }

    public ParameterAdapter adapter(int pair) {
        return pairs.get(pair).adapter;
    }

    public int pairCount() {
        return pairs.size();
    }

    public long adapterParameterCount() {
        return pairs.stream().mapToLong(p -> p.adapter.arrays().parameterCount()).sum();
    }
}
