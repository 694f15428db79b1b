package dev.mergenet.transfer.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.ndarray.Scopes;
import java.util.ArrayList;
import java.util.List;

/**
 * MergeNet's parameter adapter φ: W' = Layer_{L-1}(…Layer_0(T, S)…, S), the same raw S at every layer. T is the
 * target matrix [m×n], S the source matrix [p×q]; the output has T's shape. Parameters start from PyTorch's
 * default initialisation drawn from {@code seed}.
 */
public final class ParameterAdapter implements AutoCloseable {
    private final NamedArrays arrays;
    private final List<KnowledgeTransferLayer> layers = new ArrayList<>();
    private final int m;
    private final int n;
    private final int p;
    private final int q;
    private final AdapterConfig config;
    private boolean closed;

    public ParameterAdapter(
            NDManager manager, DataType type, int m, int n, int p, int q, AdapterConfig config, long seed) {
        this.arrays = new NamedArrays(manager);
        this.m = m;
        this.n = n;
        this.p = p;
        this.q = q;
        this.config = config;
        TorchInit init = new TorchInit(manager, type, seed);
        for (int i = 0; i < config.layers(); i++) {
            layers.add(new KnowledgeTransferLayer(arrays, init, "layers." + i, m, n, p, q, config));
        }
        try (NDManager scope = manager.newSubManager()) {
            NamedArrays.Scoped view = arrays.scoped(scope);
            for (KnowledgeTransferLayer layer : layers) {
                for (SpectralNormLinear sn : layer.spectralNormLayers()) {
                    sn.powerIterations(view, SpectralNormLinear.INIT_ITERATIONS);
                }
            }
        }
    }

    /**
     * The number of trainable scalars an adapter for a target [m×n] and source [p×q] has, computed from the sizes
     * alone (nothing is allocated): per layer four cross-attentions, the spectral-norm feed-forward n→2n→n and a
     * LayerNorm; spectral-norm u and v are buffers, not parameters.
     */
    public static long parameterCount(int m, int n, int p, int q, AdapterConfig config) {
        return config.parameterCount(m, n, p, q);
    }

    /**
     * W' for target T and source S. Intermediates are created in {@code scope} (close it after the backward
     * pass); in training mode dropout is active and each spectral norm advances one power iteration.
     */
    public NDArray forward(NDArray target, NDArray source, boolean training, NDManager scope) {
        checkOpen();
        checkShape(target, m, n, "target");
        checkShape(source, p, q, "source");
        NamedArrays.Scoped view = arrays.scoped(scope);
        NDArray t = Scopes.alias(target, scope);
        NDArray s = Scopes.alias(source, scope);
        for (KnowledgeTransferLayer layer : layers) {
            t = layer.forward(view, t, s, training);
        }
        return t;
    }

    public NamedArrays arrays() {
        checkOpen();
        return arrays;
    }

    public AdapterConfig config() {
        return config;
    }

    /** Per-head widths of the four attentions (xx, xy, yx, yy). */
    public int[] headWidths() {
        CrossAttention[] a = layers.get(0).attentions();
        return new int[] {a[0].headWidth(), a[1].headWidth(), a[2].headWidth(), a[3].headWidth()};
    }

    /** σ̂ of a spectral-norm weight with the current buffers (for tests and diagnostics). */
    public double spectralSigma(int layer, int which, NDManager scope) {
        checkOpen();
        SpectralNormLinear sn = layers.get(layer).spectralNormLayers()[which];
        return sn.sigma(arrays.scoped(scope)).toType(DataType.FLOAT64, false).getDouble();
    }

    /** Advances every spectral norm by {@code count} power iterations (tests). */
    public void powerIterations(int count, NDManager scope) {
        checkOpen();
        NamedArrays.Scoped view = arrays.scoped(scope);
        for (KnowledgeTransferLayer layer : layers) {
            for (SpectralNormLinear sn : layer.spectralNormLayers()) {
                sn.powerIterations(view, count);
            }
        }
    }

    /** Name of the raw weight of a spectral-norm layer (which: 0 = up, 1 = down). */
    public String spectralWeightName(int layer, int which) {
        return layers.get(layer).spectralNormLayers()[which].weightName();
    }

    /** Frees the adapter's parameters and buffers; using it afterwards fails. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arrays.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(
                    "parameter adapter " + m + "x" + n + " <- " + p + "x" + q + " used after close()");
        }
    }

    private static void checkShape(NDArray a, int rows, int cols, String what) {
        if (a.getShape().dimension() != 2
                || a.getShape().get(0) != rows
                || a.getShape().get(1) != cols) {
            throw new IllegalArgumentException(
                    "adapter built for a " + what + " matrix " + rows + "x" + cols + " got " + a.getShape());
        }
    }
}
