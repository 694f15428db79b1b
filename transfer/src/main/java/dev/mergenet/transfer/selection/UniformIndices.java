package dev.mergenet.transfer.selection;

import java.util.Arrays;

/**
 * The paper's uniform element selection of s of a source dimension's t entries: every (t/s)-th index when s
 * divides t (as the authors' code), else evenly spaced indices round(i·(t−1)/(s−1)), rounded half up in integer
 * arithmetic. The authors' non-divisible branch, {@code round(linspace(0, t, s))}, reaches index t (one past the
 * end); ours spans 0..t−1. The indices depend on (t, s) alone, so every dimension of one channel space (a layer's
 * output, its norm, the next layer's input, a residual branch tied through Add) gets the same indices.
 */
public final class UniformIndices {
    private UniformIndices() {}

    public static int[] of(int t, int s) {
        if (s < 1 || s > t) {
            throw new IllegalArgumentException("cannot select " + s + " of " + t + " entries");
        }
        int[] idx = new int[s];
        for (int i = 0; i < s; i++) {
            idx[i] = t % s == 0 ? i * (t / s) : (int) ((2L * i * (t - 1) + (s - 1)) / (2L * (s - 1)));
        }
        return idx;
    }

    /** e.g. "64 -> 16: every 4th index (0, 4, 8, ...)". */
    public static String describe(int t, int s) {
        int[] idx = of(t, s);
        String list = Arrays.toString(idx.length > 8 ? Arrays.copyOf(idx, 8) : idx)
                .replace("[", "(")
                .replace("]", idx.length > 8 ? ", ...)" : ")");
        if (t == s) {
            return t + " -> " + s + ": all, in order";
        }
        String rule = t % s == 0
                ? "every " + ordinal(t / s) + " index"
                : "evenly spaced, round(i*" + (t - 1) + "/" + (s - 1) + ")";
        return t + " -> " + s + ": " + rule + " " + list;
    }

    private static String ordinal(int n) {
        String suffix = n % 100 >= 11 && n % 100 <= 13
                ? "th"
                : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
        return n + suffix;
    }
}
