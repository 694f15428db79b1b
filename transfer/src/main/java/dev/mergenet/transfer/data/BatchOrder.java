package dev.mergenet.transfer.data;

import java.util.SplittableRandom;

/**
 * Sample order per (seed, epoch): a pure function, so every mode of a seed sees the same batches and a resumed
 * run replays exactly the order it would have had.
 */
public final class BatchOrder {
    private BatchOrder() {}

    /** Fisher-Yates permutation of 0..n-1 from a seed. */
    public static int[] permutation(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    public static int[] forEpoch(int n, long seed, int epoch) {
        return permutation(n, seed * 1_000_003L + epoch);
    }

    /** Number of batches per epoch; the last partial batch is kept. */
    public static int batches(int n, int batchSize) {
        return (n + batchSize - 1) / batchSize;
    }
}
