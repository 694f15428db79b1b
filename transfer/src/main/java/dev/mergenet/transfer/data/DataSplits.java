package dev.mergenet.transfer.data;

import dev.mergenet.core.errors.MergeNetException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Train / validation (/ test) sets. The validation set is a fixed seeded draw from the training pool (55k/5k for
 * Fashion-MNIST with the default 5000), the same for every run seed, so all arms select on the same samples.
 */
public record DataSplits(LabeledData train, LabeledData validation, LabeledData test) {
    public static DataSplits split(LabeledData pool, LabeledData test, int validationSize, long splitSeed) {
        int n = pool.size();
        int v = validationSize < 0 ? Math.max(1, n / 12) : validationSize;
        if (v >= n) {
            throw new MergeNetException(
                    pool.origin() + ": validation size " + v + " leaves no training data (" + n + " samples)");
        }
        int[] perm = BatchOrder.permutation(n, splitSeed);
        int[] valIdx = new int[v];
        int[] trainIdx = new int[n - v];
        System.arraycopy(perm, 0, valIdx, 0, v);
        System.arraycopy(perm, v, trainIdx, 0, n - v);
        Arrays.sort(valIdx);
        Arrays.sort(trainIdx);
        LabeledData val = v == 0 ? null : pool.subset(valIdx, pool.origin() + " (validation)");
        return new DataSplits(pool.subset(trainIdx, pool.origin() + " (train)"), val, test);
    }

    /** A fixed subset of the training set (first {@code limit} of a seeded permutation), for quick runs. */
    public DataSplits limitTrain(int limit, long seed) {
        if (limit <= 0 || limit >= train.size()) {
            return this;
        }
        int[] perm = BatchOrder.permutation(train.size(), seed);
        int[] idx = Arrays.copyOf(perm, limit);
        Arrays.sort(idx);
        return new DataSplits(train.subset(idx, train.origin() + " (first " + limit + ")"), validation, test);
    }

    public DataSplits limitEval(int limit) {
        if (limit <= 0) {
            return this;
        }
        return new DataSplits(train, head(validation, limit), head(test, limit));
    }

    private static LabeledData head(LabeledData d, int limit) {
        if (d == null || d.size() <= limit) {
            return d;
        }
        int[] idx = new int[limit];
        for (int i = 0; i < limit; i++) {
            idx[i] = i;
        }
        return d.subset(idx, d.origin() + " (first " + limit + ")");
    }

    /** What the model card says of how the fingerprint is made. */
    public static final String FINGERPRINT_METHOD =
            "SHA-256 over each split's size, labels and raw float32 values (before input adaptation), in order"
                    + " train, validation, test";

    /** A fingerprint of the samples used: the same data and limits give the same hex digest. */
    public String sha256() {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (LabeledData d : new LabeledData[] {train, validation, test}) {
            md.update(ByteBuffer.allocate(Integer.BYTES)
                    .putInt(d == null ? -1 : d.size())
                    .flip());
            if (d != null) {
                d.digest(md);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Sample counts per split, as the model card prints them. */
    public String sizes() {
        return "train=" + train.size() + " validation=" + (validation == null ? 0 : validation.size()) + " test="
                + (test == null ? 0 : test.size());
    }
}
