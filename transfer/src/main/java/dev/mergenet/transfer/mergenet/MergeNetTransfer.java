package dev.mergenet.transfer.mergenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.exporters.TrainingCheckpoint;
import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.adapter.ParameterAdapter;
import dev.mergenet.transfer.config.Generation;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.AdamW;
import dev.mergenet.transfer.optim.LearningRateSchedule;
import dev.mergenet.transfer.training.EpochRecord;
import dev.mergenet.transfer.training.SavedState;
import dev.mergenet.transfer.training.Step;
import dev.mergenet.transfer.training.StepParticipant;
import dev.mergenet.transfer.training.StepRole;
import dev.mergenet.transfer.training.TrainingDivergedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * MergeNet's part of a run (design note 4.4): on every T_cycle-th step before the target's step, {@link Injection}
 * writes W' into each paired target weight; after the target's step, {@link HypernetworkUpdate} trains the adapter.
 * Transfers stop after {@code transferUntil} of the steps.
 */
public final class MergeNetTransfer implements StepParticipant {
    /** Adapters under this many parameters cost little on any machine, whatever the target's size. */
    public static final long SMALL_ADAPTER = 1L << 18;

    private final RunConfig cfg;
    private final TrainableModel target;
    private final TrainableModel source;
    private final NDManager manager;
    private final long transferEndStep;
    private final List<AdaptedPair> pairs = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private boolean injected;
    private boolean closed;

    /**
     * @param source the source model (its weights are read live when it is co-trained; once, when it is frozen)
     */
    public MergeNetTransfer(
            RunConfig cfg,
            TrainableModel target,
            TrainableModel source,
            List<PairSpec> specs,
            long totalSteps,
            NDManager manager) {
        this.cfg = cfg;
        this.target = target;
        this.source = source;
        this.manager = manager;
        this.transferEndStep = Math.round(cfg.adapter().transferUntil() * totalSteps);
        long targetParameters = target.weights().values().stream()
                .mapToLong(a -> a.getShape().size())
                .sum();
        for (int i = 0; i < specs.size(); i++) {
            pairs.add(build(specs.get(i), i, targetParameters));
        }
    }

    private AdaptedPair build(PairSpec spec, int index, long targetParameters) {
        NDArray tw = target.weights().get(spec.target());
        int[] tm = MatrixView.matrixShape(target, spec.target());
        int[] sm = MatrixView.matrixShape(source, spec.source());
        int rows = cfg.adapter().rank() > 0 ? cfg.adapter().rank() : sm[0];
        AdapterConfig ac = capped(cfg.adapter().config(), tm[0], tm[1], rows, sm[1], targetParameters, spec);
        NDArray fixed = null;
        if (cfg.mode().adapterReadsFixedMatrix(cfg.frozenSource())) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray s = sourceMatrix(spec.source(), scope);
                if (cfg.mode().randomSource()) {
                    s = randomLike(s, cfg.training().seed() * 7919 + index, scope);
                }
                fixed = s.duplicate();
                fixed.attach(manager);
            }
        }
        ParameterAdapter adapter = new ParameterAdapter(
                manager,
                tw.getDataType(),
                tm[0],
                tm[1],
                rows,
                sm[1],
                ac,
                cfg.training().seed() * 31 + index);
        NDArray gates = null;
        AdamW gateOpt = null;
        if (cfg.adapter().output() == AdapterOutput.GATED) {
            gates = manager.zeros(new Shape(tm[0], 1), tw.getDataType(), tw.getDevice());
            gates.setRequiresGradient(true);
            gateOpt = new AdamW(manager, 0.9, 0.999, 1e-8, 0, n -> true);
        }
        AdaptedPair p = new AdaptedPair(
                spec,
                tw.getShape(),
                tm[0],
                adapter,
                AdamW.forAdapter(manager, cfg.adapter().weightDecay()),
                fixed,
                gates,
                gateOpt);
        p.totalUpdates = cfg.adapter().cycle() > 0
                ? (transferEndStep + cfg.adapter().cycle() - 1) / cfg.adapter().cycle()
                : 0;
        return p;
    }

    /**
     * The adapter's config for this pair within its budget: max(ratio × target parameters, {@link #SMALL_ADAPTER}).
     * Over budget, the attention widths are capped; if even width-1 heads do not fit (the FFN grows with n²), the
     * pair is refused with what to do.
     */
    private AdapterConfig capped(AdapterConfig ac, int m, int n, int p, int q, long targetParameters, PairSpec spec) {
        long released = ac.parameterCount(m, n, p, q);
        if (cfg.adapter().maxAdapterRatio() == 0) {
            return ac;
        }
        long budget = Math.max((long) (cfg.adapter().maxAdapterRatio() * targetParameters), SMALL_ADAPTER);
        if (released <= budget) {
            return ac;
        }
        for (int width = Math.max(m + p, n + q) / 2; width >= ac.heads(); width = width * 3 / 4) {
            AdapterConfig c = ac.withMaxTotalWidth(width);
            if (c.parameterCount(m, n, p, q) <= budget) {
                notes.add(String.format(
                        "adapter for %s: released widths give %,d parameters (%.1fx the target's "
                                + "%,d); attention width capped at %d to fit %,d (--max-adapter-ratio 0 keeps the released "
                                + "widths)",
                        spec.target(),
                        released,
                        (double) released / targetParameters,
                        targetParameters,
                        width,
                        c.parameterCount(m, n, p, q)));
                return c;
            }
        }
        throw new MergeNetException(String.format(
                "the adapter for %s=%s needs at least %,d parameters (its FFN grows "
                        + "with the square of the target matrix's %d columns), over the budget of %,d (%.1fx the target's %,d); "
                        + "pick a smaller target matrix with --pair, or pass --max-adapter-ratio 0 to allow it",
                spec.target(),
                spec.source(),
                ac.withMaxTotalWidth(ac.heads()).parameterCount(m, n, p, q),
                n,
                budget,
                cfg.adapter().maxAdapterRatio(),
                targetParameters));
    }

    /** The source weight as the adapter sees it: [p, q], or its rank-r factor √Σ·Vᵀ. */
    private NDArray sourceMatrix(String name, NDManager scope) {
        NDArray s = MatrixView.toMatrix(
                source, name, Scopes.alias(source.weights().get(name), scope).stopGradient());
        return cfg.adapter().rank() > 0 ? LowRankFactor.factorA(s, cfg.adapter().rank(), scope) : s.duplicate();
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

    @Override
    public StepRole role() {
        return StepRole.ADAPTER;
    }

    /** On a transfer step, W' into every paired target weight before the models step. */
    @Override
    public void beforeModels(Step step) {
        checkOpen();
        if (transfersAt(step.index())) {
            step.reseed(StepRole.ADAPTER);
            inject(step.scope());
        }
    }

    /** After the target's step of a transfer step, the adapters learn from it. */
    @Override
    public void afterTarget(Step step) {
        checkOpen();
        update(step.lr(), step.scope(), step::beforeBackward);
    }

    @Override
    public void saveState(Map<String, NDArray> tensors, Map<String, Long> counters) {
        tensors.putAll(stateArrays());
        counters.putAll(counters());
    }

    @Override
    public void restoreState(SavedState saved, NDManager scope) {
        restore(saved.tensors(), saved.counters(), scope);
    }

    /** Whether this step transfers (design note 4.4: cnt % f == 0, until the transfer-free final phase). */
    public boolean transfersAt(long step) {
        return !pairs.isEmpty()
                && cfg.adapter().cycle() > 0
                && step % cfg.adapter().cycle() == 0
                && step < transferEndStep;
    }

    /** Before the source's and target's steps of a transfer step: inject W' into every pair. */
    public void inject(NDManager scope) {
        for (AdaptedPair p : pairs) {
            NDArray s =
                    p.fixedSource != null ? Scopes.alias(p.fixedSource, scope) : sourceMatrix(p.spec.source(), scope);
            p.epoch.jump += Injection.inject(
                    p, target, s, cfg.adapter().output(), cfg.adapter().generation() == Generation.TRAIN, scope);
            p.epoch.injections++;
        }
        injected = true;
    }

    /** After the target's step of a transfer step: the hypernetwork update of every pair. */
    public void update(double targetLr, NDManager scope, Runnable beforeBackward) {
        if (!injected) {
            return;
        }
        for (AdaptedPair p : pairs) {
            long warm = Math.round(cfg.adapter().warm() * p.totalUpdates);
            double lr = LearningRateSchedule.constantThenCosine(cfg.adapter().lr(), warm)
                    .rate(p.updates, p.totalUpdates);
            HypernetworkUpdate.Result r = HypernetworkUpdate.update(
                    p, target, cfg.adapter().clip(), lr, cfg.adapter().gateLr(), targetLr, scope, beforeBackward);
            if (!Double.isFinite(r.gradNorm())) {
                List<String> bad = new ArrayList<>();
                p.adapter.arrays().parameters().forEach((k, v) -> {
                    NDArray g = Scopes.gradient(v, scope);
                    if (g != null
                            && !Double.isFinite(g.toType(DataType.FLOAT64, false)
                                    .abs()
                                    .sum()
                                    .getDouble())) {
                        bad.add(k);
                    }
                });
                throw new TrainingDivergedException("the adapter gradient norm for " + p.spec.target() + " is "
                        + r.gradNorm() + " (non-finite in " + String.join(", ", bad.subList(0, Math.min(4, bad.size())))
                        + ")");
            }
            p.updates++;
            p.epoch.updates++;
            p.epoch.gradNorm += r.gradNorm();
            p.epoch.deltaNorm += Injection.norm(r.delta());
            if (p.lastDelta != null) {
                p.lastDelta.close();
            }
            p.lastDelta = r.delta();
            p.lastDelta.attach(manager);
            p.generated = null;
            p.direction = null;
        }
        injected = false;
    }

    @Override
    public void startEpoch(int epoch) {
        pairs.forEach(p -> p.epoch.reset());
    }

    /** This epoch's adapter measurements into its record. */
    @Override
    public void summarize(EpochRecord rec) {
        if (pairs.isEmpty()) {
            return;
        }
        int updates = 0;
        int injections = 0;
        double grad = 0;
        double delta = 0;
        double jump = 0;
        double gate = 0;
        int gated = 0;
        for (AdaptedPair p : pairs) {
            updates += p.epoch.updates;
            injections += p.epoch.injections;
            grad += p.epoch.gradNorm;
            delta += p.epoch.deltaNorm;
            jump += p.epoch.jump;
            if (p.gates != null) {
                gate += p.gates.mean().toType(DataType.FLOAT64, false).getDouble();
                gated++;
            }
        }
        rec.adapterUpdates = updates;
        if (updates > 0) {
            rec.adapterGradNorm = grad / updates;
            rec.adapterDeltaNorm = delta / updates;
        }
        if (injections > 0) {
            rec.injectionRelativeJump = jump / injections;
        }
        if (gated > 0) {
            rec.gateMean = gate / gated;
        }
        AdaptedPair first = pairs.get(0);
        long warm = Math.round(cfg.adapter().warm() * first.totalUpdates);
        rec.adapterLr = LearningRateSchedule.constantThenCosine(cfg.adapter().lr(), warm)
                .rate(Math.max(first.updates - 1, 0), first.totalUpdates);
    }

    /** Every tensor of the adapters' state for a checkpoint, by name. */
    public Map<String, NDArray> stateArrays() {
        checkOpen();
        Map<String, NDArray> t = new LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            AdaptedPair p = pairs.get(i);
            String pre = "pair" + i;
            p.adapter.arrays().parameters().forEach((k, v) -> t.put(pre + ".p/" + k, v));
            p.adapter.arrays().buffers().forEach((k, v) -> t.put(pre + ".b/" + k, v));
            p.optimizer.stateArrays().forEach((k, v) -> t.put(pre + ".opt/" + k, v));
            if (p.gates != null) {
                t.put(pre + ".gates", p.gates);
                if (p.offset != null) {
                    t.put(pre + ".offset", p.offset);
                }
                p.gateOptimizer.stateArrays().forEach((k, v) -> t.put(pre + ".gopt/" + k, v));
            }
        }
        return t;
    }

    /** Progress counters for a checkpoint. */
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            AdaptedPair p = pairs.get(i);
            c.put("pair" + i + ".opt", p.optimizer.steps());
            c.put("pair" + i + ".updates", p.updates);
            if (p.gateOptimizer != null) {
                c.put("pair" + i + ".gopt", p.gateOptimizer.steps());
            }
        }
        return c;
    }

    /** Restores what {@link #stateArrays()} and {@link #counters()} saved. */
    public void restore(Map<String, NDArray> t, Map<String, Long> counters, NDManager scope) {
        checkOpen();
        for (int i = 0; i < pairs.size(); i++) {
            AdaptedPair p = pairs.get(i);
            String pre = "pair" + i;
            for (Map.Entry<String, NDArray> e : p.adapter.arrays().parameters().entrySet()) {
                Scopes.assign(e.getValue(), required(t, pre + ".p/" + e.getKey()), scope);
            }
            TrainingCheckpoint.section(t, pre + ".b/")
                    .forEach((k, v) -> p.adapter.arrays().restoreBuffer(k, v));
            p.optimizer.restore(TrainingCheckpoint.section(t, pre + ".opt/"), counters.getOrDefault(pre + ".opt", 0L));
            p.updates = counters.getOrDefault(pre + ".updates", 0L);
            if (p.gates != null) {
                Scopes.assign(p.gates, required(t, pre + ".gates"), scope);
                NDArray offset = t.get(pre + ".offset");
                if (offset != null) {
                    p.offset = offset.duplicate();
                    p.offset.attach(p.gates.getManager());
                }
                p.gateOptimizer.restore(
                        TrainingCheckpoint.section(t, pre + ".gopt/"), counters.getOrDefault(pre + ".gopt", 0L));
            }
        }
    }

    private static NDArray required(Map<String, NDArray> t, String name) {
        NDArray v = t.get(name);
        if (v == null) {
            throw new MergeNetException("checkpoint has no tensor " + name);
        }
        return v;
    }

    /** What the run should tell its user before training (width caps). */
    public List<String> notes() {
        return notes;
    }

    public int pairCount() {
        return pairs.size();
    }

    public ParameterAdapter adapter(int pair) {
        checkOpen();
        return pairs.get(pair).adapter;
    }

    public long parameterCount() {
        return pairs.stream()
                .mapToLong(p -> p.adapter.arrays().parameterCount())
                .sum();
    }

    /** δ of the last adapter update of pair i, on the host. */
    public float[] lastDelta(int pair) {
        checkOpen();
        NDArray d = pairs.get(pair).lastDelta;
        return d == null ? null : d.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** The gates of pair i (null without the gated output). */
    public NDArray gates(int pair) {
        return pairs.get(pair).gates;
    }

    /** Frees every pair's adapter, optimizers, fixed source, gates and last update; using it afterwards fails. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AdaptedPair p : pairs) {
            p.adapter.close();
            p.optimizer.close();
            if (p.gateOptimizer != null) {
                p.gateOptimizer.close();
            }
            for (NDArray a : new NDArray[] {p.fixedSource, p.gates, p.offset, p.lastDelta}) {
                if (a != null) {
                    a.close();
                }
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("MergeNet transfer used after close()");
        }
    }
}
