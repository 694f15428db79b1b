package dev.mergenet.transfer.adapter;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.transfer.optim.AdamW;
import dev.mergenet.transfer.optim.GradientClipping;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Time of one adapter update (train-mode forward, VJP, clipping, AdamW) for the Fashion pair and the paper's pair.
 * Excluded from the normal test run (tag "benchmark"); run with
 * {@code mvn -o -pl transfer -am test -Dtest=AdapterStepBenchmark -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class AdapterStepBenchmark {
    @Test
    void adapterStepTimes() {
        int[][] pairs = {{64, 32, 10, 128}, {64, 32, 128, 256}, {160, 960, 100, 2048}};
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (int[] p : pairs) {
                ParameterAdapter a =
                        new ParameterAdapter(m, DataType.FLOAT32, p[0], p[1], p[2], p[3], AdapterConfig.DEFAULT, 1);
                AdamW opt = AdamW.forAdapter(m, 5e-4);
                NDArray t = m.randomNormal(new Shape(p[0], p[1]));
                NDArray s = m.randomNormal(new Shape(p[2], p[3]));
                int reps = p[1] > 100 ? 3 : 20;
                long best = Long.MAX_VALUE;
                for (int r = 0; r < reps + 1; r++) {
                    long t0 = System.nanoTime();
                    try (NDManager scope = m.newSubManager()) {
                        NDArray w;
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            w = a.forward(t, s, true, scope);
                        }
                        NDArray delta = w.stopGradient().mul(0.01);
                        a.arrays().parameters().values().forEach(Scopes::zeroGradient);
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            gc.backward(w.mul(delta).sum());
                        }
                        GradientClipping.clipGlobalNorm(a.arrays().parameters().values(), 50, scope);
                        opt.step(a.arrays().parameters(), 1e-3, scope);
                    }
                    if (r > 0) {
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                }
                System.out.printf(
                        "adapter step %dx%d <- %dx%d: %d parameters, best of %d: %.1f ms%n",
                        p[0], p[1], p[2], p[3], a.arrays().parameterCount(), reps, best / 1e6);
            }
        }
    }
}
