package dev.mergenet.transfer.adapter;

/**
 * Adapter hyper-parameters. Defaults are the released code's: h = 8, L = 2, attention dropout 0.1, FFN-output
 * dropout 0.2, LayerNorm eps 1e-12.
 */
public record AdapterConfig(int heads, int layers, float attentionDropout, float ffnDropout, float layerNormEps) {
    public static final AdapterConfig DEFAULT = new AdapterConfig(8, 2, 0.1f, 0.2f, 1e-12f);

    public AdapterConfig {
        if (heads < 1 || layers < 1) {
            throw new IllegalArgumentException("adapter needs heads >= 1 and layers >= 1");
        }
    }

    public AdapterConfig withoutDropout() {
        return new AdapterConfig(heads, layers, 0f, 0f, layerNormEps);
    }
}
