package dev.mergenet.transfer.compactor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.AdamW;
import dev.mergenet.transfer.training.SavedState;
import dev.mergenet.transfer.training.Step;
import dev.mergenet.transfer.training.StepParticipant;
import dev.mergenet.transfer.training.StepRole;
import dev.mergenet.transfer.training.TargetTraining;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Learned compactors (weight-inherited distillation, Wu et al., NAACL Findings 2024), started at weight selection:
 * during the first {@code endStep} steps each planned target kernel is generated, W_t = C_r · W_s · C_c at every
 * kernel position, from the frozen source kernel W_s. The target's optimizer leaves those kernels alone; after the
 * target's backward the compactors take the gradient of the loss through the generated weight, the VJP (backward of
 * Σ W_t ⊙ sg(∂L/∂W_t)), and an AdamW step (no weight decay: C shrinking would shrink W_t). Since the loss gradient
 * reaches the source only through C, reading the source is what the compactors are trained for. At {@code endStep}
 * the last generated kernels become the target's own weights (merged) and train from clean optimizer state.
 */
public final class CompactorTransfer implements StepParticipant {
    private static final String PREFIX = "compactor/";
    private static final String OPT = "opt.compactor";
    private static final String ACTIVE = "compactor.active";

    private final TrainableModel target;
    private final TargetTraining subject;
    private final double lr;
    private final long endStep;
    private final NDManager owner;
    private final List<Compactors> layers = new ArrayList<>();
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final AdamW optimizer;
    private boolean active = true;

    /** One generated kernel: the frozen source kernel and its two compactors, on the target's device. */
    private record Compactors(CompactorPlan.Layer plan, NDArray source, NDArray rows, NDArray cols) {}

    /**
     * Starts the phase: compactors one-hot at the selection indices, each planned kernel generated (equal to the
     * selected kernel bit for bit) and held from the target's optimizer.
     *
     * @param lr      the compactors' AdamW learning rate (constant)
     * @param endStep the first step at which the kernels are merged and train as the target's own
     */
    public CompactorTransfer(CompactorPlan plan, TargetTraining subject, double lr, long endStep, NDManager manager) {
        this.target = subject.model();
        this.subject = subject;
        this.lr = lr;
        this.endStep = endStep;
        this.owner = manager.newSubManager();
        this.optimizer = new AdamW(owner, 0.9, 0.999, 1e-8, 0, n -> true);
        for (CompactorPlan.Layer l : plan.layers()) {
            NDArray w = target.weights().get(l.target());
            if (w == null) {
                throw new MergeNetException(target.origin() + ": the imported target has no weight '" + l.target()
                        + "' for its compactors");
            }
            long[] s = l.source().shape();
            int os = (int) s[l.outAxis()];
            int is = (int) s[l.inAxis()];
            float[] r = new float[l.rows().length * os];
            for (int o = 0; o < l.rows().length; o++) {
                r[o * os + l.rows()[o]] = 1;
            }
            float[] c = new float[is * l.cols().length];
            for (int i = 0; i < l.cols().length; i++) {
                c[l.cols()[i] * l.cols().length + i] = 1;
            }
            NDArray source = owner.create(l.source().values(), new Shape(s)).toDevice(w.getDevice(), false);
            NDArray rows = owner.create(r, new Shape(l.rows().length, os)).toDevice(w.getDevice(), false);
            NDArray cols = owner.create(c, new Shape(is, l.cols().length)).toDevice(w.getDevice(), false);
            rows.setRequiresGradient(true);
            cols.setRequiresGradient(true);
            layers.add(new Compactors(l, source, rows, cols));
            parameters.put(l.target() + "/rows", rows);
            parameters.put(l.target() + "/cols", cols);
        }
        subject.hold(layers.stream().map(c -> c.plan.target()).collect(Collectors.toSet()));
        try (NDManager scope = manager.newSubManager()) {
            write(scope);
        }
    }

    /**
     * C_r · W_s · C_c at every kernel position: W_s [.., O_s at outAxis, .., I_s at inAxis, ..], C_r [O_t, O_s],
     * C_c [I_s, I_t]; the result has W_s's layout with O_t and I_t.
     */
    public static NDArray generate(NDArray source, NDArray rows, NDArray cols, int outAxis, int inAxis) {
        int rank = source.getShape().dimension();
        int[] axes = new int[rank];
        axes[0] = outAxis;
        axes[1] = inAxis;
        for (int d = 0, k = 2; d < rank; d++) {
            if (d != outAxis && d != inAxis) {
                axes[k++] = d;
            }
        }
        boolean canonical = outAxis == 0 && inAxis == 1;
        NDArray w = canonical ? source : source.transpose(axes);
        long[] shape = w.getShape().getShape().clone(); // Shape hands out its own array
        long os = shape[0];
        long is = shape[1];
        long positions = w.getShape().size() / (os * is);
        long ot = rows.getShape().get(0);
        long it = cols.getShape().get(1);
        NDArray left = rows.matMul(w.reshape(os, is * positions)) // [O_t, I_s·K]
                .reshape(ot, is, positions)
                .transpose(0, 2, 1)
                .reshape(ot * positions, is);
        NDArray both = left.matMul(cols).reshape(ot, positions, it).transpose(0, 2, 1); // [O_t, I_t, K]
        shape[0] = ot;
        shape[1] = it;
        NDArray g = both.reshape(new Shape(shape));
        if (canonical) {
            return g;
        }
        int[] inverse = new int[rank];
        for (int d = 0; d < rank; d++) {
            inverse[axes[d]] = d;
        }
        return g.transpose(inverse);
    }

    @Override
    public StepRole role() {
        return StepRole.ADAPTER;
    }

    /** Whether the kernels are still generated (false once merged). */
    public boolean active() {
        return active;
    }

    /** The number of generated kernels. */
    public int layerCount() {
        return layers.size();
    }

    @Override
    public void beforeModels(Step step) {
        if (active && step.index() >= endStep) {
            merge();
        }
    }

    @Override
    public void afterTarget(Step step) {
        if (!active) {
            return;
        }
        NDManager scope = step.scope();
        parameters.values().forEach(Scopes::zeroGradient);
        boolean reached = false;
        try (GradientCollector gc = TorchEngine.newGradientCollector()) {
            NDArray objective = null;
            for (Compactors c : layers) {
                NDArray g = Scopes.gradient(target.weights().get(c.plan.target()), scope);
                if (g == null) {
                    continue;
                }
                NDArray term = generated(c, scope).mul(g.stopGradient()).sum();
                objective = objective == null ? term : objective.add(term);
            }
            if (objective != null) {
                reached = true;
                step.beforeBackward();
                gc.backward(objective);
            }
        }
        if (reached) {
            optimizer.step(parameters, lr, scope);
            write(scope);
        }
    }

    private NDArray generated(Compactors c, NDManager scope) {
        return generate(
                Scopes.alias(c.source, scope),
                Scopes.alias(c.rows, scope),
                Scopes.alias(c.cols, scope),
                c.plan.outAxis(),
                c.plan.inAxis());
    }

    /** The target's kernels set to what the compactors generate now. */
    private void write(NDManager scope) {
        for (Compactors c : layers) {
            Scopes.assign(target.weights().get(c.plan.target()), generated(c, scope), scope);
        }
    }

    /** The generated kernels (already written) become the target's own; the compactors are freed. */
    private void merge() {
        active = false;
        subject.hold(java.util.Set.of());
        optimizer.close();
        owner.close();
    }

    @Override
    public void saveState(Map<String, NDArray> tensors, Map<String, Long> counters) {
        counters.put(ACTIVE, active ? 1L : 0L);
        if (active) {
            parameters.forEach((k, v) -> tensors.put(PREFIX + k, v));
            optimizer.stateArrays().forEach((k, v) -> tensors.put(OPT + "/" + k, v));
            counters.put(OPT, optimizer.steps());
        }
    }

    @Override
    public void restoreState(SavedState saved, NDManager scope) {
        if (!saved.counters().containsKey(ACTIVE)) {
            throw new MergeNetException(saved.file() + ": holds no compactor state (written by a run without --init"
                    + " compactors); resume with the run's own --init");
        }
        if (saved.counter(ACTIVE) == 0) {
            if (active) {
                merge();
            }
            return;
        }
        saved.assignAll(parameters, PREFIX, scope);
        optimizer.restore(saved.section(OPT + "/"), saved.counter(OPT));
    }

    @Override
    public void close() {
        if (active) {
            merge();
        }
    }
}
