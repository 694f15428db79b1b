package dev.mergenet.transfer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.ndarray.ScalarMath;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.SGD with momentum μ, weight decay λ, no dampening, no Nesterov: buf ← μ·buf + (g + λW) (buf = g + λW
 * on the first step), W ← W − η·buf. Buffers are kept by parameter name, so overwriting a weight's values
 * (MergeNet's injection) keeps its momentum.
 */
public final class SgdMomentum implements ParameterOptimizer {
    private final NDManager owner;
    private final double momentum;
    private final double weightDecay;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private long steps;

    public SgdMomentum(NDManager owner, double momentum, double weightDecay) {
        this.owner = owner;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(Map<String, NDArray> params, double lr, NDManager scope) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            if (!w.hasGradient()) {
                continue;
            }
            NDArray wv = Scopes.alias(w, scope);
            NDArray g = Scopes.alias(w.getGradient(), scope);
            NDArray d = weightDecay == 0 ? g : g.add(ScalarMath.mul(wv, weightDecay));
            NDArray buf = buffers.get(e.getKey());
            if (buf == null) {
                buf = d.duplicate();
                buf.attach(owner);
                buffers.put(e.getKey(), buf);
            } else {
                Scopes.alias(buf, scope).muli(momentum).addi(d);
            }
            wv.subi(ScalarMath.mul(Scopes.alias(buf, scope), lr));
        }
        steps++;
    }

    /** The momentum buffer of a parameter (null before its first step). */
    public NDArray buffer(String name) {
        return buffers.get(name);
    }

    @Override
    public Map<String, NDArray> stateArrays() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        buffers.forEach((k, v) -> m.put(k + "/momentum", v));
        return m;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void restore(Map<String, NDArray> arrays, long steps) {
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        arrays.forEach((k, v) -> {
            NDArray copy = v.duplicate();
            copy.attach(owner);
            buffers.put(k.substring(0, k.lastIndexOf("/momentum")), copy);
        });
        this.steps = steps;
    }
}
