package dev.mergenet.transfer.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import dev.mergenet.importers.ndarray.ScalarMath;

/**
 * One post-LN residual cross-attention of the released code: queries from one token set, keys and values from
 * the other, h heads of width d, attention dropout, output projection back to the query width, then
 * LayerNorm(Q_in + O·Wo + bo). No positional encoding: rows and columns are unordered tokens.
 */
final class CrossAttention {
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;
    private final LayerNorm norm;
    private final int heads;
    private final int headWidth;
    private final float dropout;

    CrossAttention(NamedArrays arrays, TorchInit init, String name, int queryDim, int keyDim, AdapterConfig cfg) {
        this.heads = cfg.heads();
        this.headWidth = cfg.headWidth(queryDim, keyDim);
        int total = heads * headWidth;
        this.query = new Linear(arrays, init, name + ".query", queryDim, total);
        this.key = new Linear(arrays, init, name + ".key", keyDim, total);
        this.value = new Linear(arrays, init, name + ".value", keyDim, total);
        this.output = new Linear(arrays, init, name + ".output.dense", total, queryDim);
        this.norm = new LayerNorm(arrays, init, name + ".output.layernorm", queryDim, cfg.layerNormEps());
        this.dropout = cfg.attentionDropout();
    }

    /** queries [nq, dq], keys [nk, dk] -> [nq, dq]. */
    NDArray forward(NamedArrays.Scoped p, NDArray queries, NDArray keys, boolean training) {
        long nq = queries.getShape().get(0);
        long nk = keys.getShape().get(0);
        NDArray q = heads(query.forward(p, queries), nq);
        NDArray k = heads(key.forward(p, keys), nk);
        NDArray v = heads(value.forward(p, keys), nk);
        NDArray scores = ScalarMath.div(q.batchMatMul(k.transpose(0, 2, 1)), Math.sqrt(headWidth));
        NDArray attention = scores.softmax(-1);
        if (training && dropout > 0) {
            attention = Dropout.dropout(attention, dropout, true).head();
        }
        NDArray mixed = attention.batchMatMul(v).transpose(1, 0, 2).reshape(new Shape(nq, (long) heads * headWidth));
        return norm.forward(p, queries.add(output.forward(p, mixed)));
    }

    int headWidth() {
        return headWidth;
    }

    /** [n, h·d] -> [h, n, d]. */
    private NDArray heads(NDArray x, long n) {
        return x.reshape(new Shape(n, heads, headWidth)).transpose(1, 0, 2);
    }
}
