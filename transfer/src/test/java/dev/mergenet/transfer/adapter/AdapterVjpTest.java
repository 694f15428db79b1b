package dev.mergenet.transfer.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mergenet.importers.testing.NativeMemoryChurn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The adapter update g = (∂W'/∂φ)ᵀδ, computed as the gradient of sum(W' ⊙ sg(δ)), against finite differences. */
class AdapterVjpTest {
    @Test
    void vjpMatchesCentralFiniteDifferencesInFloat64() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ParameterAdapter adapter = new ParameterAdapter(
                    manager, DataType.FLOAT64, 3, 4, 5, 2, new AdapterConfig(2, 2, 0.1f, 0.2f, 1e-12f), 11);
            NDArray t = manager.randomNormal(new Shape(3, 4)).toType(DataType.FLOAT64, false);
            NDArray s = manager.randomNormal(new Shape(5, 2)).toType(DataType.FLOAT64, false);
            NDArray delta = manager.randomNormal(new Shape(3, 4)).toType(DataType.FLOAT64, false);
            // Eval mode: no dropout and no power iteration, so the map φ -> W' is deterministic.
            try (NDManager scope = manager.newSubManager();
                    GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray w = adapter.forward(t, s, false, scope);
                NativeMemoryChurn.run(); // backward must not read memory freed since the forward
                gc.backward(w.mul(delta.stopGradient()).sum());
            }
            Random rnd = new Random(5);
            double h = 1e-6;
            int checked = 0;
            List<String> names = new ArrayList<>(adapter.arrays().parameters().keySet());
            for (String name : names) {
                // every 3rd tensor and every spectral-norm weight, LayerNorm gain and value projection
                boolean pick = names.indexOf(name) % 3 == 0
                        || name.contains("original")
                        || name.contains("value")
                        || name.endsWith("layernorm.weight");
                if (!pick) {
                    continue;
                }
                NDArray param = adapter.arrays().parameters().get(name);
                double[] grad = param.getGradient().toDoubleArray();
                int size = grad.length;
                for (int k = 0; k < 2; k++) {
                    int idx = rnd.nextInt(size);
                    double plus = objective(adapter, t, s, delta, param, idx, h, manager);
                    double minus = objective(adapter, t, s, delta, param, idx, -h, manager);
                    double numeric = (plus - minus) / (2 * h);
                    assertEquals(numeric, grad[idx], 1e-6 + 1e-5 * Math.abs(numeric), name + "[" + idx + "]");
                    checked++;
                }
            }
            assertTrue(checked > 40, "checked " + checked);
        }
    }

    private static double objective(
            ParameterAdapter adapter,
            NDArray t,
            NDArray s,
            NDArray delta,
            NDArray param,
            int idx,
            double step,
            NDManager manager) {
        double[] hot = new double[(int) param.getShape().size()];
        hot[idx] = step;
        NDArray bump = manager.create(hot, param.getShape());
        param.addi(bump);
        try (NDManager scope = manager.newSubManager()) {
            return adapter.forward(t, s, false, scope).mul(delta).sum().getDouble();
        } finally {
            param.subi(bump);
        }
    }

    @Test
    void everyParameterGetsAGradientInTrainingMode() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ParameterAdapter adapter =
                    new ParameterAdapter(manager, DataType.FLOAT32, 6, 5, 4, 7, AdapterConfig.DEFAULT, 2);
            NDArray t = manager.randomNormal(new Shape(6, 5));
            NDArray s = manager.randomNormal(new Shape(4, 7));
            try (NDManager scope = manager.newSubManager();
                    GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray w = adapter.forward(t, s, true, scope);
                gc.backward(w.mul(manager.randomNormal(new Shape(6, 5))).sum());
            }
            for (Map.Entry<String, NDArray> e : adapter.arrays().parameters().entrySet()) {
                NDArray g = e.getValue().getGradient();
                assertTrue(g.abs().sum().getFloat() > 0, "no gradient for " + e.getKey());
                assertTrue(!g.isNaN().any().getBoolean(), "NaN gradient for " + e.getKey());
            }
        }
    }
}
