package dev.mergenet.transfer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.ndarray.Scopes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SgdMomentum against torch.optim.SGD's documented update, computed here in doubles: d = g + λW, buf = μ·buf + d
 * (buf = d on the first step), W ← W − η·buf; without momentum W ← W − η·d and no buffer.
 */
class SgdMomentumTest {
    private static final int STEPS = 3;

    @Test
    void momentumAndWeightDecayFollowSgdOverSeveralSteps() {
        check(0.9, 1e-2);
    }

    @Test
    void momentumWithoutWeightDecay() {
        check(0.9, 0);
    }

    @Test
    void plainSgdKeepsNoBuffer() {
        Map<String, NDArray> buffers = check(0, 5e-4);
        assertEquals(0, buffers.size());
    }

    @Test
    void aWeightNoBackwardPassReachedIsLeftAlone() {
        // torch.optim.SGD skips a parameter whose .grad is None: no weight decay, no momentum buffer
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            NDArray used = m.create(new float[] {1f, 2f});
            NDArray unused = m.create(new float[] {3f, 4f});
            used.setRequiresGradient(true);
            unused.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("used", used);
            params.put("unused", unused);
            SgdMomentum sgd = new SgdMomentum(m, 0.9, 0.5);
            for (int step = 0; step < 2; step++) {
                try (NDManager scope = m.newSubManager()) {
                    params.values().forEach(Scopes::zeroGradient);
                    try (GradientCollector gc = TorchEngine.newGradientCollector()) {
                        gc.backward(Scopes.alias(used, scope).sum());
                    }
                    sgd.step(params, 0.1, scope);
                }
            }
            assertEquals(3f, unused.toFloatArray()[0]);
            assertEquals(4f, unused.toFloatArray()[1]);
            assertNull(sgd.buffer("unused"));
            // used: d = 1 + 0.5w; step 1 buf = d, step 2 buf = 0.9 buf + d', w -= 0.1 buf
            double w = 1;
            double buf = 1 + 0.5 * w;
            w -= 0.1 * buf;
            buf = 0.9 * buf + 1 + 0.5 * w;
            w -= 0.1 * buf;
            assertEquals(w, used.toFloatArray()[0], 1e-6);
        }
    }

    @Test
    void stepsLeaveNoHandlesOnTheParametersManager() {
        // a gradient handle left in the weights' manager each step grows without bound over a long run
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            NDArray w = m.create(new float[] {1f, 2f, 3f});
            w.setRequiresGradient(true);
            Map<String, NDArray> params = Map.of("w", w);
            SgdMomentum sgd = new SgdMomentum(m, 0.9, 1e-4);
            int[] counts = new int[4];
            for (int step = 0; step < counts.length; step++) {
                try (NDManager scope = m.newSubManager()) {
                    Scopes.zeroGradient(w);
                    try (GradientCollector gc = TorchEngine.newGradientCollector()) {
                        gc.backward(Scopes.alias(w, scope).mul(2).sum());
                    }
                    sgd.step(params, 0.1, scope);
                }
                counts[step] = ((BaseNDManager) m).getManagedArrays().size();
            }
            assertEquals(counts[1], counts[3], "arrays left on the weights' manager after steps 2 and 4");
        }
    }

    /** Runs STEPS steps with gradient c_k·(step+1) for weight k and compares every element; returns the state. */
    private static Map<String, NDArray> check(double momentum, double weightDecay) {
        double lr = 0.1;
        float[][] init = {{1f, -2f, 3f, 0.5f}, {-1f, 4f}};
        float[][] coef = {{0.3f, -1.2f, 2f, 7f}, {5f, -0.25f}};
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (int k = 0; k < init.length; k++) {
                NDArray w = m.create(init[k]);
                w.setRequiresGradient(true);
                params.put("w" + k, w);
            }
            SgdMomentum sgd = new SgdMomentum(m, momentum, weightDecay);
            double[][] w = {toDouble(init[0]), toDouble(init[1])};
            double[][] buf = new double[init.length][];
            for (int step = 0; step < STEPS; step++) {
                try (NDManager scope = m.newSubManager()) {
                    params.values().forEach(Scopes::zeroGradient);
                    try (GradientCollector gc = TorchEngine.newGradientCollector()) {
                        NDArray loss = null;
                        for (int k = 0; k < init.length; k++) {
                            NDArray term = params.get("w" + k)
                                    .mul(m.create(coef[k]).mul(step + 1))
                                    .sum();
                            loss = loss == null ? term : loss.add(term);
                        }
                        gc.backward(loss);
                    }
                    sgd.step(params, lr, scope);
                }
                for (int k = 0; k < init.length; k++) {
                    for (int i = 0; i < w[k].length; i++) {
                        double d = coef[k][i] * (step + 1) + weightDecay * w[k][i];
                        if (momentum != 0) {
                            if (buf[k] == null) {
                                buf[k] = new double[w[k].length];
                                buf[k][i] = d;
                            } else {
                                buf[k][i] = step == 0 ? d : momentum * buf[k][i] + d;
                            }
                            w[k][i] -= lr * buf[k][i];
                        } else {
                            w[k][i] -= lr * d;
                        }
                    }
                }
                for (int k = 0; k < init.length; k++) {
                    float[] got = params.get("w" + k).toFloatArray();
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(
                                w[k][i],
                                got[i],
                                1e-5 * (1 + Math.abs(w[k][i])),
                                "step " + step + " w" + k + "[" + i + "]");
                    }
                    if (momentum == 0) {
                        assertNull(sgd.buffer("w" + k));
                    }
                }
            }
            assertEquals(STEPS, sgd.steps());
            return sgd.stateArrays();
        }
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
