package dev.mergenet.transfer.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class AdapterShapesTest {
    @Test
    void outputHasTheTargetShapeForNonSquarePairs() {
        int[][] cases = {
            {6, 4, 9, 3}, // p > q, m > n
            {6, 4, 3, 9}, // p < q
            {4, 7, 12, 5}, // m < n, p > q
            {4, 7, 2, 11}, // m < n, p < q
        };
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (int[] c : cases) {
                ParameterAdapter adapter = new ParameterAdapter(
                        manager, DataType.FLOAT32, c[0], c[1], c[2], c[3], AdapterConfig.DEFAULT, 3);
                NDArray t = manager.randomNormal(new Shape(c[0], c[1]));
                NDArray s = manager.randomNormal(new Shape(c[2], c[3]));
                for (boolean training : new boolean[] {true, false}) {
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray out = adapter.forward(t, s, training, scope);
                        assertEquals(new Shape(c[0], c[1]), out.getShape());
                        // Final op is a row LayerNorm with gamma=1, beta=0 at init: each row has mean 0, std 1.
                        float[] mean = out.mean(new int[] {1}).toFloatArray();
                        float[] var = out.sub(out.mean(new int[] {1}, true))
                                .square()
                                .mean(new int[] {1})
                                .toFloatArray();
                        for (int r = 0; r < c[0]; r++) {
                            assertEquals(0, mean[r], 1e-5, "row mean");
                            assertEquals(1, var[r], 1e-3, "row variance");
                        }
                    }
                }
            }
        }
    }

    @Test
    void wrongShapesAreRejected() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ParameterAdapter adapter =
                    new ParameterAdapter(manager, DataType.FLOAT32, 3, 4, 5, 6, AdapterConfig.DEFAULT, 3);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> adapter.forward(
                            manager.zeros(new Shape(4, 3)), manager.zeros(new Shape(5, 6)), false, manager));
        }
    }

    @Test
    void fashionPairHasAboutAQuarterMillionParameters() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ParameterAdapter adapter =
                    new ParameterAdapter(manager, DataType.FLOAT32, 64, 32, 10, 128, AdapterConfig.DEFAULT, 3);
            // Design note section 9: ~0.25 M for (64x32, 10x128) with h=8, L=2 (exact count of the formula)
            assertEquals(252_352, adapter.arrays().parameterCount());
        }
    }

    @Test
    void paperPairHasTheReleasedParameterCount() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            // MobileNetV2 1x1 conv 160x960 <- ResNet50 fc 100x2048: 18.82 M per layer, 37.63 M (design note 4.2)
            ParameterAdapter adapter =
                    new ParameterAdapter(manager, DataType.FLOAT32, 160, 960, 100, 2048, AdapterConfig.DEFAULT, 3);
            assertEquals(37_633_920, adapter.arrays().parameterCount());
        }
    }
}
