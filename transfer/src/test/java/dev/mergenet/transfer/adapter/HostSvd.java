package dev.mergenet.transfer.adapter;

import dev.mergenet.transfer.mergenet.SymmetricJacobi;

/**
 * Host reference for the spectral norm: the largest singular value from the eigenvalues of WᵀW (Jacobi, in
 * double). Independent of the code under test, which estimates σ by power iteration on the engine.
 */
final class HostSvd {
    private HostSvd() {}

    static double largestSingularValue(double[][] w) {
        int rows = w.length;
        int n = w[0].length;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += w[r][i] * w[r][j];
                }
                a[i][j] = s;
            }
        }
        SymmetricJacobi.diagonalize(a, new double[n][n]);
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, a[i][i]);
        }
        return Math.sqrt(max);
    }
}
