package dev.mergenet.transfer.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SpectralNormTest {
    @Test
    void sigmaConvergesToTheLargestSingularValue() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ParameterAdapter adapter =
                    new ParameterAdapter(manager, DataType.FLOAT64, 5, 6, 3, 4, AdapterConfig.DEFAULT, 9);
            try (NDManager scope = manager.newSubManager()) {
                adapter.powerIterations(300, scope);
                for (int layer = 0; layer < 2; layer++) {
                    for (int which = 0; which < 2; which++) {
                        double[][] w = matrix(
                                adapter.arrays()
                                        .parameters()
                                        .get(adapter.spectralWeightName(layer, which))
                                        .toDoubleArray(),
                                which == 0 ? 12 : 6);
                        double reference = HostSvd.largestSingularValue(w);
                        double sigma = adapter.spectralSigma(layer, which, scope);
                        assertEquals(reference, sigma, 1e-6 * reference, "layer " + layer + " sn " + which);
                    }
                }
            }
        }
    }

    @Test
    void onePowerIterationPerTrainingForward() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ParameterAdapter adapter =
                    new ParameterAdapter(manager, DataType.FLOAT64, 5, 6, 3, 4, AdapterConfig.DEFAULT, 9);
            String u = "layers.0.output.up.parametrizations.weight.0._u";
            double[] before = adapter.arrays().buffers().get(u).toDoubleArray();
            try (NDManager scope = manager.newSubManager()) {
                adapter.forward(
                        manager.ones(new Shape(5, 6), DataType.FLOAT64),
                        manager.ones(new Shape(3, 4), DataType.FLOAT64),
                        false,
                        scope);
            }
            assertEquals(0, diff(before, adapter.arrays().buffers().get(u).toDoubleArray()), 0, "eval keeps u");
            try (NDManager scope = manager.newSubManager();
                    NDManager ref = manager.newSubManager()) {
                adapter.forward(
                        manager.ones(new Shape(5, 6), DataType.FLOAT64),
                        manager.ones(new Shape(3, 4), DataType.FLOAT64),
                        true,
                        scope);
            }
            assertTrue(diff(before, adapter.arrays().buffers().get(u).toDoubleArray()) > 0, "train advances u");
        }
    }

    private static double diff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static double[][] matrix(double[] flat, int rows) {
        int cols = flat.length / rows;
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * cols, m[r], 0, cols);
        }
        return m;
    }
}
