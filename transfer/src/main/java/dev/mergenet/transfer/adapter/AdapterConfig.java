package dev.mergenet.transfer.adapter;

/**
 * Adapter hyper-parameters. Defaults are the released code's: h = 8, L = 2, attention dropout 0.1, FFN-output
 * dropout 0.2, LayerNorm eps 1e-12, and no cap on the attention width.
 *
 * @param maxTotalWidth cap on each attention's total width h·d (0: the released max((a+b)//2, 128)); a run sets it
 *                      when the released widths would make the adapter larger than its budget
 */
public record AdapterConfig(
        int heads, int layers, float attentionDropout, float ffnDropout, float layerNormEps, int maxTotalWidth) {
    public static final AdapterConfig DEFAULT = new AdapterConfig(8, 2, 0.1f, 0.2f, 1e-12f);

    public AdapterConfig {
        if (heads < 1 || layers < 1) {
            throw new IllegalArgumentException("adapter needs heads >= 1 and layers >= 1");
        }
        if (maxTotalWidth < 0) {
            throw new IllegalArgumentException("adapter width cap must not be negative");
        }
    }

    public AdapterConfig(int heads, int layers, float attentionDropout, float ffnDropout, float layerNormEps) {
        this(heads, layers, attentionDropout, ffnDropout, layerNormEps, 0);
    }

    public AdapterConfig withoutDropout() {
        return new AdapterConfig(heads, layers, 0f, 0f, layerNormEps, maxTotalWidth);
    }

    public AdapterConfig withMaxTotalWidth(int cap) {
        return new AdapterConfig(heads, layers, attentionDropout, ffnDropout, layerNormEps, cap);
    }

    /** Per-head width of an attention between query width {@code a} and key width {@code b}, with this cap. */
    public int headWidth(int a, int b) {
        int w = HeadWidths.perHead(a, b, heads);
        return maxTotalWidth > 0 ? Math.max(1, Math.min(w, maxTotalWidth / heads)) : w;
    }

    /**
     * Trainable parameters of an adapter for target [m × n] and source [p × q], counted without building it: per
     * layer four cross-attentions (query, key, value and output projections with biases, LayerNorm) and the
     * spectral-norm FFN n → 2n → n with its LayerNorm.
     */
    public long parameterCount(int m, int n, int p, int q) {
        long perLayer = attention(n, q)
                + attention(n, p)
                + attention(m, q)
                + attention(m, p)
                + (long) n * 2 * n
                + 2L * n
                + 2L * n * n
                + n
                + 2L * n;
        return perLayer * layers;
    }

    private long attention(int queryDim, int keyDim) {
        long total = (long) heads * headWidth(queryDim, keyDim);
        return queryDim * total + total + 2 * (keyDim * total + total) + total * queryDim + queryDim + 2L * queryDim;
    }
}
