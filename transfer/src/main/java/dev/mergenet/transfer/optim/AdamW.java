package dev.mergenet.transfer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.ndarray.ScalarMath;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * torch.optim.AdamW: W ← W(1 − ηλ), m ← β1·m + (1−β1)g, v ← β2·v + (1−β2)g², W ← W − η·m̂/(√v̂ + ε). Parameters
 * matched by {@code noDecay} (the released code: names containing "bias" or "norm") get λ = 0.
 */
public final class AdamW implements ParameterOptimizer {
    private final NDManager owner;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Predicate<String> noDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long steps;
    private boolean closed;

    public AdamW(
            NDManager owner, double beta1, double beta2, double eps, double weightDecay, Predicate<String> noDecay) {
        this.owner = owner;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.noDecay = noDecay;
    }

    /** The released adapter optimiser: betas (0.9, 0.999), eps 1e-8, decay 5e-4 except bias/norm tensors. */
    public static AdamW forAdapter(NDManager owner, double weightDecay) {
        return new AdamW(owner, 0.9, 0.999, 1e-8, weightDecay, n -> n.contains("bias") || n.contains("norm"));
    }

    @Override
    public void step(Map<String, NDArray> params, double lr, NDManager scope) {
        if (closed) {
            throw new IllegalStateException("AdamW optimizer used after close()");
        }
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(beta2, steps);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            NDArray g = Scopes.gradient(w, scope);
            if (g == null) { // no backward pass reached it: left alone, as torch.optim.AdamW does
                continue;
            }
            String name = e.getKey();
            NDArray wv = Scopes.alias(w, scope);
            double decay = noDecay.test(name) ? 0 : weightDecay;
            if (decay != 0) {
                wv.muli(1 - lr * decay);
            }
            NDArray mi = Scopes.alias(m.computeIfAbsent(name, k -> zerosLike(w)), scope);
            NDArray vi = Scopes.alias(v.computeIfAbsent(name, k -> zerosLike(w)), scope);
            mi.muli(beta1).addi(ScalarMath.mul(g, 1 - beta1));
            vi.muli(beta2).addi(ScalarMath.mul(g.square(), 1 - beta2));
            NDArray denom = ScalarMath.div(vi.sqrt(), Math.sqrt(bc2)).add(eps);
            wv.subi(ScalarMath.mul(mi.div(denom), lr / bc1));
        }
    }

    private NDArray zerosLike(NDArray w) {
        NDArray z = owner.zeros(w.getShape(), w.getDataType(), w.getDevice());
        return z;
    }

    @Override
    public Map<String, NDArray> stateArrays() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put(k + "/exp_avg", a));
        v.forEach((k, a) -> out.put(k + "/exp_avg_sq", a));
        return out;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        closed = true;
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
        m.clear();
        v.clear();
    }

    @Override
    public void restore(Map<String, NDArray> arrays, long steps) {
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
        m.clear();
        v.clear();
        arrays.forEach((k, a) -> {
            NDArray copy = a.duplicate();
            copy.attach(owner);
            if (k.endsWith("/exp_avg")) {
                m.put(k.substring(0, k.length() - "/exp_avg".length()), copy);
            } else if (k.endsWith("/exp_avg_sq")) {
                v.put(k.substring(0, k.length() - "/exp_avg_sq".length()), copy);
            } else {
                throw new IllegalArgumentException("unknown AdamW state " + k);
            }
        });
        this.steps = steps;
    }
}
