package dev.mergenet.transfer.selection;

import java.util.Arrays;

/**
 * One weight-bearing layer of a graph: a Conv, a Gemm/MatMul (with the Add holding its bias) or a norm that
 * follows no such layer, with the norm that directly follows it. {@code stage} counts the spatial down-samplings
 * before the layer's output; {@code outAxis}/{@code inAxis} say which weight dimension holds the output and input
 * units (a MatMul or a Gemm without transB stores [in, out]).
 */
public record WeightLayer(
        Kind kind,
        String op,
        String node,
        String weight,
        String bias,
        Norm norm,
        int stage,
        long[] weightShape,
        int outAxis,
        int inAxis,
        long[] strides,
        String groups,
        boolean readsGraphInput,
        boolean classifier) {

    /** What a layer is, for matching: a target layer pairs only with a source layer of the same kind. */
    public enum Kind {
        CONV,
        LINEAR,
        NORM
    }

    /** A BatchNormalization (scale, bias, running mean and variance) or LayerNormalization (scale, bias). */
    public record Norm(String op, String node, String scale, String bias, String mean, String var, float epsilon) {
        public boolean batchNorm() {
            return op.equals("BatchNormalization");
        }
    }

    /** The layer's name in reports: its weight's name without a trailing ".weight", else its node's. */
    public String name() {
        String n = weight != null ? weight : norm.scale();
        return n.endsWith(".weight") ? n.substring(0, n.length() - ".weight".length()) : n;
    }

    /** Kernel size, stride and groups, e.g. "Conv 3x3 /2" or "Conv 3x3 depthwise" or "Gemm" or "BatchNormalization". */
    public String structure() {
        if (kind == Kind.NORM) {
            return norm.op();
        }
        if (kind == Kind.LINEAR) {
            return op;
        }
        StringBuilder s = new StringBuilder("Conv ");
        for (int i = 2; i < weightShape.length; i++) {
            s.append(i > 2 ? "x" : "").append(weightShape[i]);
        }
        if (Arrays.stream(strides).anyMatch(v -> v != 1)) {
            s.append(" /")
                    .append(
                            strides.length > 0 && Arrays.stream(strides).allMatch(v -> v == strides[0])
                                    ? String.valueOf(strides[0])
                                    : Arrays.toString(strides));
        }
        if (!groups.equals("dense")) {
            s.append(' ').append(groups);
        }
        return s.toString();
    }

    /** Kernel dimensions of a conv weight (empty for other layers). */
    public long[] kernel() {
        return kind == Kind.CONV ? Arrays.copyOfRange(weightShape, 2, weightShape.length) : new long[0];
    }

    /** Why this target layer cannot take {@code source}'s weights, or null when their structure matches. */
    public String mismatch(WeightLayer source) {
        if (kind != source.kind) {
            return "a " + structure() + " against a " + source.structure();
        }
        if (kind == Kind.NORM) {
            return norm.op().equals(source.norm.op()) ? null : "a " + norm.op() + " against a " + source.norm.op();
        }
        if (kind == Kind.CONV) {
            if (!Arrays.equals(kernel(), source.kernel())) {
                return "kernel " + Arrays.toString(kernel()) + " against " + Arrays.toString(source.kernel());
            }
            if (!Arrays.equals(strides, source.strides)) {
                return "stride " + Arrays.toString(strides) + " against " + Arrays.toString(source.strides);
            }
            if (!groups.equals(source.groups)) {
                return groups + " against " + source.groups;
            }
        }
        if (weightShape.length != source.weightShape.length) {
            return "a rank-" + weightShape.length + " weight against a rank-" + source.weightShape.length + " one";
        }
        return null;
    }

    @Override
    public String toString() {
        return structure() + " '" + name() + "'";
    }
}
