package dev.mergenet.transfer.mergenet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A = √Σ_r V_rᵀ: at full rank (AᵀA)² = VΣ²Vᵀ = SᵀS; at rank 1 AAᵀ = σ1 (checked by host power iteration). */
class LowRankFactorTest {
    @Test
    void factorReproducesTheGramMatrixAndTheLeadingSingularValue() {
        int[][] shapes = {{7, 5}, {4, 9}};
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (int[] sh : shapes) {
                Random r = new Random(sh[0]);
                double[] v = new double[sh[0] * sh[1]];
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.nextGaussian();
                }
                NDArray s = m.create(v, new Shape(sh[0], sh[1]));
                int full = Math.min(sh[0], sh[1]);
                NDArray a = LowRankFactor.factorA(s, full, m);
                assertEquals(new Shape(full, sh[1]), a.getShape());
                NDArray ata = a.transpose().matMul(a);
                double[] gram = ata.matMul(ata).toDoubleArray();
                double[] ref = s.transpose().matMul(s).toDoubleArray();
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], gram[i], 1e-8, "SᵀS entry " + i);
                }
                NDArray a1 = LowRankFactor.factorA(s.toType(DataType.FLOAT32, false), 1, m);
                assertEquals(DataType.FLOAT32, a1.getDataType());
                double sigma = a1.matMul(a1.transpose())
                        .toType(DataType.FLOAT64, false)
                        .getDouble();
                assertEquals(largestSingularValue(v, sh[0], sh[1]), sigma, 1e-4);
            }
        }
    }

    /** Power iteration on SᵀS, in double, to convergence. */
    private static double largestSingularValue(double[] s, int p, int q) {
        double[] x = new double[q];
        Arrays.fill(x, 1);
        double lambda = 0;
        for (int it = 0; it < 5000; it++) {
            double[] y = new double[p];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    y[i] += s[i * q + j] * x[j];
                }
            }
            double[] z = new double[q];
            for (int j = 0; j < q; j++) {
                for (int i = 0; i < p; i++) {
                    z[j] += s[i * q + j] * y[i];
                }
            }
            double n = 0;
            for (double d : z) {
                n += d * d;
            }
            n = Math.sqrt(n);
            lambda = n;
            for (int j = 0; j < q; j++) {
                x[j] = z[j] / n;
            }
        }
        return Math.sqrt(lambda);
    }
}
