package dev.mergenet.transfer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.engine.TorchScriptKernels;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.ndarray.ScalarMath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.SGD with momentum μ, weight decay λ, no dampening, no Nesterov: buf ← μ·buf + (g + λW) (buf = g + λW
 * on the first step), W ← W − η·buf. Buffers are kept by parameter name, so overwriting a weight's values
 * (MergeNet's injection) keeps its momentum. Without momentum there are no buffers (W ← W − η·(g + λW)), as in
 * torch.optim.SGD.
 *
 * <p>On the PyTorch engine the whole update is one call to SGD's _foreach kernels ({@link TorchScriptKernels#sgdStep});
 * elsewhere it runs parameter by parameter, with the same arithmetic.
 */
public final class SgdMomentum implements ParameterOptimizer {
    private final NDManager owner;
    private final double momentum;
    private final double weightDecay;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private long steps;
    private boolean closed;

    public SgdMomentum(NDManager owner, double momentum, double weightDecay) {
        this.owner = owner;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(Map<String, NDArray> params, double lr, NDManager scope) {
        if (closed) {
            throw new IllegalStateException("SGD optimizer used after close()");
        }
        List<String> names = new ArrayList<>(params.size());
        List<NDArray> weights = new ArrayList<>(params.size());
        List<NDArray> grads = new ArrayList<>(params.size());
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = Scopes.gradient(e.getValue(), scope);
            if (g != null) { // a weight no backward pass reached is left alone, as torch.optim.SGD does
                names.add(e.getKey());
                weights.add(e.getValue());
                grads.add(g);
            }
        }
        List<NDArray> bufs = new ArrayList<>();
        if (momentum != 0) {
            for (int i = 0; i < names.size(); i++) {
                NDArray buf = buffers.get(names.get(i));
                if (buf == null) { // zeros: the first step then sets buf = μ·0 + d = d, as torch.optim.SGD does
                    buf = weights.get(i).zerosLike();
                    buf.attach(owner);
                    buffers.put(names.get(i), buf);
                }
                bufs.add(buf);
            }
        }
        if (!TorchScriptKernels.sgdStep(weights, grads, bufs, lr, momentum, weightDecay)) {
            for (int i = 0; i < names.size(); i++) { // the same arithmetic, weight by weight
                NDArray wv = Scopes.alias(weights.get(i), scope);
                NDArray d = weightDecay == 0 ? grads.get(i) : grads.get(i).add(ScalarMath.mul(wv, weightDecay));
                if (momentum != 0) {
                    d = Scopes.alias(bufs.get(i), scope).muli(momentum).addi(d);
                }
                wv.subi(ScalarMath.mul(d, lr));
            }
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
    public void close() {
        closed = true;
        buffers.values().forEach(NDArray::close);
        buffers.clear();
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
