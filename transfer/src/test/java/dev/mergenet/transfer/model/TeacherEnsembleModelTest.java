package dev.mergenet.transfer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.mergenet.core.engine.TorchEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --teacher-weights: the ensemble's logits are Σ wᵢ·zᵢ / Σ wᵢ of each teacher's own logits, computed here. */
class TeacherEnsembleModelTest {
    private static DjlBlockModel linear(NDManager m, int seed, String name) {
        TorchEngine.setRandomSeed(seed);
        SequentialBlock b =
                new SequentialBlock().add(Linear.builder().setUnits(3).build());
        b.initialize(m, DataType.FLOAT32, new Shape(1, 4));
        return new DjlBlockModel(b, name);
    }

    @Test
    void weightedTeachersGiveTheNormalizedWeightedMeanOfTheirLogits() {
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            DjlBlockModel a = linear(m, 1, "a");
            DjlBlockModel b = linear(m, 2, "b");
            NDArray x = m.create(new float[] {0.5f, -1f, 2f, 0.25f, 1f, 1f, -0.5f, 3f}, new Shape(2, 4));
            float[] za = a.forward(x, false).toFloatArray();
            float[] zb = b.forward(x, false).toFloatArray();
            float[] expected = new float[za.length];
            for (int i = 0; i < za.length; i++) {
                expected[i] = (float) (0.7 * za[i] + 0.3 * zb[i]);
            }
            float[] weighted = new TeacherEnsembleModel(List.of(a, b), new double[] {0.7, 0.3})
                    .forward(x, false)
                    .toFloatArray();
            assertArrayEquals(expected, weighted, 1e-5f);
            float[] unnormalized = new TeacherEnsembleModel(List.of(a, b), new double[] {7, 3})
                    .forward(x, false)
                    .toFloatArray();
            assertArrayEquals(expected, unnormalized, 1e-5f, "weights are normalized by their sum");
            float[] mean =
                    new TeacherEnsembleModel(List.of(a, b)).forward(x, false).toFloatArray();
            for (int i = 0; i < za.length; i++) {
                expected[i] = (za[i] + zb[i]) / 2;
            }
            assertArrayEquals(expected, mean, 1e-5f, "no weights: the plain mean");
            assertThrows(
                    IllegalArgumentException.class, () -> new TeacherEnsembleModel(List.of(a, b), new double[] {1}));
        }
    }
}
