package dev.mergenet.transfer.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.norm.Dropout;
import dev.mergenet.importers.ndarray.ScalarMath;

/**
 * One knowledge-transfer layer (the released ParamAttentionLayer) for a target T [m×n] and source S [p×q]:
 * four cross-attentions (rows/columns of T attending to rows/columns of S) averaged, then a spectral-norm
 * feed-forward n→2n→n with tanh-GELU, dropout and a row-wise post-LN residual. The released code's unused
 * linear1 is not built.
 */
final class KnowledgeTransferLayer {
    private final CrossAttention rowsToRows;
    private final CrossAttention rowsToColumns;
    private final CrossAttention columnsToRows;
    private final CrossAttention columnsToColumns;
    private final SpectralNormLinear up;
    private final SpectralNormLinear down;
    private final LayerNorm norm;
    private final float ffnDropout;

    KnowledgeTransferLayer(
            NamedArrays arrays, TorchInit init, String name, int m, int n, int p, int q, AdapterConfig cfg) {
        this.rowsToRows = new CrossAttention(arrays, init, name + ".attention_xx", n, q, cfg);
        this.rowsToColumns = new CrossAttention(arrays, init, name + ".attention_xy", n, p, cfg);
        this.columnsToRows = new CrossAttention(arrays, init, name + ".attention_yx", m, q, cfg);
        this.columnsToColumns = new CrossAttention(arrays, init, name + ".attention_yy", m, p, cfg);
        this.up = new SpectralNormLinear(arrays, init, name + ".output.up", n, 2 * n);
        this.down = new SpectralNormLinear(arrays, init, name + ".output.down", 2 * n, n);
        this.norm = new LayerNorm(arrays, init, name + ".output.layernorm", n, cfg.layerNormEps());
        this.ffnDropout = cfg.ffnDropout();
    }

    NDArray forward(NamedArrays.Scoped ps, NDArray t, NDArray s, boolean training) {
        NDArray tCols = t.transpose();
        NDArray sCols = s.transpose();
        NDArray x1 = rowsToRows.forward(ps, t, s, training);
        NDArray x2 = rowsToColumns.forward(ps, t, sCols, training);
        NDArray x3 = columnsToRows.forward(ps, tCols, s, training).transpose();
        NDArray x4 = columnsToColumns.forward(ps, tCols, sCols, training).transpose();
        NDArray mixed = ScalarMath.div(x1.add(x2).add(x3).add(x4), 4);
        NDArray hidden = down.forward(ps, gelu(up.forward(ps, mixed, training)), training);
        if (training && ffnDropout > 0) {
            hidden = Dropout.dropout(hidden, ffnDropout, true).head();
        }
        return norm.forward(ps, mixed.add(hidden));
    }

    CrossAttention[] attentions() {
        return new CrossAttention[] {rowsToRows, rowsToColumns, columnsToRows, columnsToColumns};
    }

    SpectralNormLinear[] spectralNormLayers() {
        return new SpectralNormLinear[] {up, down};
    }

    /** GELU, tanh approximation: 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    static NDArray gelu(NDArray x) {
        double c = Math.sqrt(2 / Math.PI);
        NDArray inner = ScalarMath.mul(x.add(ScalarMath.mul(ScalarMath.pow(x, 3), 0.044715)), c);
        return ScalarMath.mul(x.mul(inner.tanh().add(1)), 0.5);
    }
}
