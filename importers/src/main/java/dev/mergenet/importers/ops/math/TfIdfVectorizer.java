package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.ops.spi.Attributes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TfIdfVectorizer over integer token ids: counts the pooled n-grams of each row (1-grams once, longer ones
 * once per skip distance 0..max_skip_count) into their output coordinates, then weights each coordinate by
 * mode TF, IDF or TFIDF (weights are indexed by output coordinate, as ONNX Runtime does). Token ids are
 * integers, never differentiable, so the counting runs on the host.
 */
@OnnxOp(type = "TfIdfVectorizer", since = 9)
public final class TfIdfVectorizer implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        Attributes a = node.attrs();
        if (!a.getStrings("pool_strings").isEmpty()) {
            throw new MergeNetException(node.describe() + ": string pools are not supported (no string tensors)");
        }
        long minGram = a.requireInt("min_gram_length");
        long maxGram = a.requireInt("max_gram_length");
        long skipCount = a.requireInt("max_skip_count");
        if (minGram < 1 || maxGram < minGram || skipCount < 0) {
            throw new OnnxFormatException(node.describe() + ": min_gram_length " + minGram + ", max_gram_length "
                    + maxGram + " and max_skip_count " + skipCount + " must satisfy 1 <= min <= max and skip >= 0");
        }
        String mode = a.getString("mode", "TF");
        if (!List.of("TF", "IDF", "TFIDF").contains(mode)) {
            throw new MergeNetException(node.describe() + ": unknown mode '" + mode + "'");
        }
        long[] pool = a.getInts("pool_int64s", new long[0]);
        long[] starts = a.getInts("ngram_counts", new long[0]);
        long[] indexes = a.getInts("ngram_indexes", new long[0]);
        float[] weights = a.getFloats("weights", null);
        for (int level = 0; level < starts.length; level++) {
            long end = level + 1 < starts.length ? starts[level + 1] : pool.length;
            if (starts[level] < 0 || starts[level] > end || end > pool.length) {
                throw new OnnxFormatException(node.describe() + ": ngram_counts " + Arrays.toString(starts)
                        + " must be non-negative, non-decreasing offsets into pool_int64s (" + pool.length
                        + " values)");
            }
        }
        if (Arrays.stream(indexes).anyMatch(i -> i < 0)) {
            throw new OnnxFormatException(
                    node.describe() + ": ngram_indexes " + Arrays.toString(indexes) + " has a negative entry");
        }
        // n-grams longer than the pool's levels never match, so the loops below stop there
        int minN = (int) Math.min(minGram, starts.length + 1L);
        int maxN = (int) Math.min(maxGram, starts.length);
        Map<List<Long>, Integer> slot = new HashMap<>();
        int gram = 0;
        for (int level = 0; level < starts.length; level++) {
            int n = level + 1;
            long end = level + 1 < starts.length ? starts[level + 1] : pool.length;
            for (long p = starts[level]; p + n <= end; p += n) {
                Long[] key = new Long[n];
                for (int k = 0; k < n; k++) {
                    key[k] = pool[(int) p + k];
                }
                slot.put(Arrays.asList(key), gram++);
            }
        }
        if (gram != indexes.length) {
            throw new MergeNetException(node.describe() + ": the pool holds " + gram + " n-grams but ngram_indexes has "
                    + indexes.length + " entries");
        }
        long widest = Arrays.stream(indexes).max().orElse(-1) + 1;
        MemoryBudget.checkElements(node.describe() + ": output width from ngram_indexes", widest, Float.BYTES);
        int width = Math.toIntExact(widest);
        if (weights != null && weights.length < width) {
            throw new MergeNetException(node.describe() + ": weights has " + weights.length + " values for " + width
                    + " output coordinates");
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            Shape shape = x.getShape();
            int rows = shape.dimension() == 2 ? (int) shape.get(0) : 1;
            int cols = (int) shape.get(shape.dimension() - 1);
            long[] tokens = x.toType(DataType.INT64, false).toLongArray();
            MemoryBudget.check(node.describe() + ": output", new long[] {rows, width}, Float.BYTES);
            int maxSkip = (int) Math.min(skipCount, cols);
            float[] out = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                int[] counts = new int[width];
                for (int n = Math.max(minN, 1); n <= maxN; n++) {
                    int skips = n == 1 ? 0 : maxSkip;
                    for (int s = 0; s <= skips; s++) {
                        for (int i = 0; i + (long) (n - 1) * (s + 1) < cols; i++) {
                            Long[] key = new Long[n];
                            for (int k = 0; k < n; k++) {
                                key[k] = tokens[r * cols + i + k * (s + 1)];
                            }
                            Integer g = slot.get(Arrays.asList(key));
                            if (g != null) {
                                counts[(int) indexes[g]]++;
                            }
                        }
                    }
                }
                for (int c = 0; c < width; c++) {
                    float w = weights == null ? 1f : weights[c];
                    out[r * width + c] = mode.equals("TF")
                            ? counts[c]
                            : mode.equals("IDF") ? Math.min(counts[c], 1) * w : counts[c] * w;
                }
            }
            Shape outShape = shape.dimension() == 2 ? new Shape(rows, width) : new Shape(width);
            return new NDList(ctx.manager().create(out, outShape));
        };
    }
}
