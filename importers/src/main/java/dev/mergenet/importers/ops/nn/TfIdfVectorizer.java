package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.OnnxFormatException;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TfIdfVectorizer over integer tokens: counts, per row, the pool's n-grams (lengths min_gram_length to
 * max_gram_length, tokens max_skip_count apart at most; a unigram is counted once, not once per skip) and
 * reports TF, IDF (weight where present) or TFIDF (count times weight). Token data is integer, so the counting
 * runs on the host; string pools are not supported.
 */
public final class TfIdfVectorizer implements OpConverter {
    private enum Mode { TF, IDF, TFIDF }

    @Override
    public OpKernel prepare(OnnxNode node) {
        if (!node.attrs().getStrings("pool_strings").isEmpty()) {
            throw new UnsupportedOperationException("pool_strings (string tokens) are not supported");
        }
        String owner = node.describe();
        int minGram = (int) node.attrs().requireInt("min_gram_length");
        int maxGram = (int) node.attrs().requireInt("max_gram_length");
        int maxSkip = (int) node.attrs().requireInt("max_skip_count");
        Mode mode;
        try {
            mode = Mode.valueOf(node.attrs().getString("mode", ""));
        } catch (IllegalArgumentException e) {
            throw new OnnxFormatException(owner + ": mode must be TF, IDF or TFIDF");
        }
        long[] pool = node.attrs().getInts("pool_int64s", new long[0]);
        long[] starts = node.attrs().getInts("ngram_counts", null);
        long[] indexes = node.attrs().getInts("ngram_indexes", null);
        float[] weights = node.attrs().getFloats("weights", null);
        if (starts == null || indexes == null || minGram < 1 || maxGram < minGram || maxSkip < 0) {
            throw new OnnxFormatException(owner + ": ngram_counts, ngram_indexes and a valid gram range are required");
        }
        // Per n-gram length, the pool's n-grams mapped to their output columns.
        List<Map<List<Long>, Integer>> grams = new java.util.ArrayList<>();
        int gramNumber = 0;
        for (int len = 1; len <= starts.length; len++) {
            int from = (int) starts[len - 1];
            int to = len < starts.length ? (int) starts[len] : pool.length;
            if ((to - from) % len != 0) {
                throw new OnnxFormatException(owner + ": the pool's " + len + "-grams span " + (to - from)
                        + " items, not a multiple of " + len);
            }
            Map<List<Long>, Integer> table = new HashMap<>();
            for (int at = from; at + len <= to; at += len) {
                Long[] gram = new Long[len];
                for (int j = 0; j < len; j++) {
                    gram[j] = pool[at + j];
                }
                if (gramNumber >= indexes.length) {
                    throw new OnnxFormatException(owner + ": ngram_indexes has fewer entries than the pool's n-grams");
                }
                table.put(List.of(gram), (int) indexes[gramNumber++]);
            }
            grams.add(table);
        }
        int width = (int) Arrays.stream(indexes).max().orElse(-1) + 1;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            Shape shape = x.getShape();
            if (shape.dimension() < 1 || shape.dimension() > 2) {
                throw new OnnxFormatException(owner + ": input must be 1-D or 2-D, got " + shape);
            }
            long[] tokens = in.longs(0);
            int rows = shape.dimension() == 1 ? 1 : (int) shape.get(0);
            int columns = rows == 0 ? 0 : tokens.length / rows;
            float[] out = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                count(tokens, r * columns, columns, minGram, Math.min(maxGram, grams.size()), maxSkip, grams, out,
                        r * width);
            }
            for (int i = 0; i < out.length; i++) {
                float w = weights == null ? 1f : weights[i % width];
                out[i] = switch (mode) {
                    case TF -> out[i];
                    case IDF -> out[i] > 0 ? w : 0;
                    case TFIDF -> out[i] * w;
                };
            }
            Shape outShape = shape.dimension() == 1 ? new Shape(width) : new Shape(rows, width);
            return new NDList(ctx.manager().create(out, outShape));
        };
    }

    private static void count(long[] tokens, int offset, int length, int minGram, int maxGram, int maxSkip,
                              List<Map<List<Long>, Integer>> grams, float[] out, int outOffset) {
        for (int n = minGram; n <= maxGram; n++) {
            Map<List<Long>, Integer> table = grams.get(n - 1);
            if (table.isEmpty()) {
                continue;
            }
            int skips = n == 1 ? 0 : maxSkip;
            for (int skip = 0; skip <= skips; skip++) {
                int step = skip + 1;
                for (int start = 0; start + (n - 1) * step < length; start++) {
                    Long[] gram = new Long[n];
                    for (int j = 0; j < n; j++) {
                        gram[j] = tokens[offset + start + j * step];
                    }
                    Integer column = table.get(List.of(gram));
                    if (column != null) {
                        out[outOffset + column]++;
                    }
                }
            }
        }
    }
}
