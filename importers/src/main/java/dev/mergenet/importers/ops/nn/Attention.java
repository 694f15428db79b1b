package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Attention (opset 23): softmax(scale * Q K^T + bias) V over 4-D (batch, heads, sequence, head size) or 3-D
 * (batch, sequence, heads * head size) inputs, with grouped key/value heads, a boolean or additive mask, causal
 * masking, past key/value concatenation (present_key/present_value outputs), softcap, and the optional
 * intermediate qk_matmul_output (mode 0 raw scores, 1 with the mask, 2 after softcap, 3 after softmax).
 */
@OnnxOp(type = "Attention", since = 23)
public final class Attention implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        String owner = node.describe();
        boolean causal = node.attrs().getInt("is_causal", 0) != 0;
        long qHeadsAttr = node.attrs().getInt("q_num_heads", 0);
        long kvHeadsAttr = node.attrs().getInt("kv_num_heads", 0);
        int mode = (int) node.attrs().getInt("qk_matmul_output_mode", 0);
        Float scaleAttr = node.attrs().has("scale") ? node.attrs().getFloat("scale", 1f) : null;
        float softcap = node.attrs().getFloat("softcap", 0f);
        int outputs = node.outputs().size();
        return (ctx, in) -> {
            NDArray q = in.get(0);
            boolean threeD = q.getShape().dimension() == 3;
            NDArray q4 = heads(q, qHeadsAttr, owner, "Q");
            NDArray k4 = heads(in.get(1), kvHeadsAttr, owner, "K");
            NDArray v4 = heads(in.get(2), kvHeadsAttr, owner, "V");
            if (in.has(4)) {
                k4 = in.get(4).concat(k4, 2);
            }
            if (in.has(5)) {
                v4 = in.get(5).concat(v4, 2);
            }
            NDArray presentKey = k4;
            NDArray presentValue = v4;
            long qHeads = q4.getShape().get(1);
            long kvHeads = k4.getShape().get(1);
            if (qHeads % kvHeads != 0) {
                throw new OnnxFormatException(
                        owner + ": " + qHeads + " query heads do not group over " + kvHeads + " key/value heads");
            }
            if (qHeads != kvHeads) {
                // Each key/value head serves qHeads / kvHeads consecutive query heads.
                k4 = k4.repeat(1, qHeads / kvHeads);
                v4 = v4.repeat(1, qHeads / kvHeads);
            }
            long headSize = q4.getShape().get(3);
            double scale = scaleAttr != null ? scaleAttr : 1 / Math.sqrt(headSize);
            NDArray scores = ScalarMath.mul(q4.matMul(k4.transpose(0, 1, 3, 2)), scale);
            NDArray qk = scores;
            long qLen = q4.getShape().get(2);
            long total = k4.getShape().get(2);
            NDArray bias = null;
            if (in.has(3)) {
                NDArray mask = in.get(3);
                // where() does not broadcast, so the fill values take the mask's own shape.
                bias = mask.getDataType() == DataType.BOOLEAN
                        ? NDArrays.where(
                                mask,
                                ctx.manager().zeros(mask.getShape(), scores.getDataType()),
                                ctx.manager().full(mask.getShape(), Float.NEGATIVE_INFINITY, scores.getDataType()))
                        : mask.toType(scores.getDataType(), false);
            }
            if (causal) {
                boolean[] allowed = new boolean[(int) (qLen * total)];
                for (int i = 0; i < qLen; i++) {
                    for (int j = 0; j < total; j++) {
                        allowed[(int) (i * total + j)] = j <= i + (total - qLen);
                    }
                }
                NDArray keep = ctx.manager().create(allowed, new Shape(qLen, total));
                NDArray causalBias = NDArrays.where(
                        keep,
                        ctx.manager().zeros(new Shape(qLen, total), scores.getDataType()),
                        ctx.manager().full(new Shape(qLen, total), Float.NEGATIVE_INFINITY, scores.getDataType()));
                bias = bias == null ? causalBias : bias.add(causalBias);
            }
            if (bias != null) {
                scores = scores.add(bias);
            }
            NDArray masked = scores;
            if (softcap > 0) {
                scores = ScalarMath.mul(ScalarMath.div(scores, softcap).tanh(), softcap);
            }
            NDArray capped = scores;
            NDArray weights = scores.softmax(-1);
            NDArray y = weights.matMul(v4);
            if (threeD) {
                long b = y.getShape().get(0);
                y = y.transpose(0, 2, 1, 3).reshape(new Shape(b, qLen, -1));
            }
            NDList out = new NDList(y);
            if (outputs > 1) {
                out.add(presentKey);
            }
            if (outputs > 2) {
                out.add(presentValue);
            }
            if (outputs > 3) {
                out.add(
                        switch (mode) {
                            case 0 -> qk;
                            case 1 -> masked;
                            case 2 -> capped;
                            case 3 -> weights;
                            default ->
                                throw new OnnxFormatException(
                                        owner + ": qk_matmul_output_mode " + mode + " is not 0-3");
                        });
            }
            return out;
        };
    }

    /** A (batch, heads, sequence, head size) view: 4-D inputs as they are, 3-D ones split into heads. */
    private static NDArray heads(NDArray x, long headsAttr, String owner, String what) {
        Shape s = x.getShape();
        if (s.dimension() == 4) {
            return x;
        }
        if (s.dimension() != 3 || headsAttr <= 0 || s.get(2) % headsAttr != 0) {
            throw new OnnxFormatException(owner + ": " + what + " " + s + " must be 4-D, or 3-D with its head count"
                    + " attribute dividing the hidden size");
        }
        return x.reshape(new Shape(s.get(0), s.get(1), headsAttr, s.get(2) / headsAttr))
                .transpose(0, 2, 1, 3);
    }
}
