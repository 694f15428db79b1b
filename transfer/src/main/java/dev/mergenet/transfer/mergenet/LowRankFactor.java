package dev.mergenet.transfer.mergenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;

/**
 * Rank-r factor of a source matrix S [p×q] from its truncated SVD S ≈ U_r Σ_r V_rᵀ: A = √Σ_r V_rᵀ [r×q] (the
 * factor that shares S's input dimension; B = U_r √Σ_r is not used). The Gram matrix of the smaller side is formed
 * on the device; its top-r eigenvectors come from subspace iteration on the host in double precision.
 */
public final class LowRankFactor {
    private static final int ITERATIONS = 300;

    private LowRankFactor() {}

    public static NDArray factorA(NDArray s, int rank, NDManager scope) {
        long p = s.getShape().get(0);
        long q = s.getShape().get(1);
        if (rank < 1 || rank > Math.min(p, q)) {
            throw new IllegalArgumentException("--rank " + rank + " must be in [1, " + Math.min(p, q) + "] for a " + p
                    + "x" + q + " source matrix");
        }
        NDArray sd = s.stopGradient().toType(DataType.FLOAT64, true);
        boolean rowsSide = p <= q; // eigenvectors of S·Sᵀ (p×p) give U; of Sᵀ·S (q×q) give V
        NDArray gram = rowsSide ? sd.matMul(sd.transpose()) : sd.transpose().matMul(sd);
        int k = (int) gram.getShape().get(0);
        double[] g = gram.toDoubleArray();
        double[][] vecs = new double[rank][];
        double[] vals = new double[rank];
        topEigen(g, k, rank, vecs, vals);
        double[] basis = new double[rank * k];
        for (int i = 0; i < rank; i++) {
            System.arraycopy(vecs[i], 0, basis, i * k, k);
        }
        NDArray e = scope.create(basis, new Shape(rank, k)).toDevice(s.getDevice(), false); // [r×k]
        double[] scale = new double[rank];
        for (int i = 0; i < rank; i++) {
            double sigma = Math.sqrt(Math.max(vals[i], 0));
            // rows side: A = diag(1/√σ)·Uᵀ·S ; columns side: A = diag(√σ)·Vᵀ
            scale[i] = rowsSide ? (sigma > 0 ? 1 / Math.sqrt(sigma) : 0) : Math.sqrt(sigma);
        }
        NDArray diag = scope.create(scale, new Shape(rank, 1)).toDevice(s.getDevice(), false);
        NDArray a = rowsSide ? e.matMul(sd).mul(diag) : e.mul(diag);
        return a.toType(s.getDataType(), false);
    }

    /** Top-r eigenpairs of a symmetric PSD matrix by orthogonal iteration plus a final Rayleigh-Ritz step. */
    static void topEigen(double[] g, int k, int r, double[][] vecs, double[] vals) {
        Random rnd = new Random(17);
        double[][] q = new double[r][k];
        for (double[] v : q) {
            for (int i = 0; i < k; i++) {
                v[i] = rnd.nextGaussian();
            }
        }
        orthonormalize(q);
        for (int it = 0; it < ITERATIONS; it++) {
            double[][] z = new double[r][];
            for (int j = 0; j < r; j++) {
                z[j] = multiply(g, k, q[j]);
            }
            orthonormalize(z);
            q = z;
        }
        // Rayleigh-Ritz: small r×r problem H = Qᵀ G Q, rotated by Jacobi
        double[][] gq = new double[r][];
        for (int j = 0; j < r; j++) {
            gq[j] = multiply(g, k, q[j]);
        }
        double[][] h = new double[r][r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                h[i][j] = dot(q[i], gq[j]);
            }
        }
        double[][] rot = identity(r);
        SymmetricJacobi.diagonalize(h, rot);
        Integer[] order = new Integer[r];
        for (int i = 0; i < r; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(h[b][b], h[a][a]));
        for (int o = 0; o < r; o++) {
            int c = order[o];
            double[] v = new double[k];
            for (int j = 0; j < r; j++) {
                for (int i = 0; i < k; i++) {
                    v[i] += rot[j][c] * q[j][i];
                }
            }
            vecs[o] = v;
            vals[o] = h[c][c];
        }
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    private static double[] multiply(double[] g, int k, double[] v) {
        double[] out = new double[k];
        for (int i = 0; i < k; i++) {
            double s = 0;
            int base = i * k;
            for (int j = 0; j < k; j++) {
                s += g[base + j] * v[j];
            }
            out[i] = s;
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void orthonormalize(double[][] vs) {
        for (int i = 0; i < vs.length; i++) {
            for (int j = 0; j < i; j++) {
                double d = dot(vs[i], vs[j]);
                for (int t = 0; t < vs[i].length; t++) {
                    vs[i][t] -= d * vs[j][t];
                }
            }
            double n = Math.sqrt(dot(vs[i], vs[i]));
            for (int t = 0; t < vs[i].length; t++) {
                vs[i][t] = n > 1e-300 ? vs[i][t] / n : 0;
            }
        }
    }
}
