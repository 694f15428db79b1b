package dev.mergenet.importers.verify;

import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;

/**
 * The tolerance of a verification, |out - ref| &lt;= atol' + rtol * |ref|, and why it was chosen. atol' is atol itself,
 * or, when {@code scaled}, atol times the reference output's largest finite magnitude: half-precision rounding and
 * export errors grow with the values a model carries, and an absolute atol would pass any model whose outputs are
 * small (an fp16 export whose outputs are all zero "verifies" against 1e-3 probabilities). Defaults follow the
 * precision the model computes in: float32 agrees to float32 rounding; a model with float16 (or bfloat16) tensors
 * computes in half precision and agrees only to half-precision rounding.
 */
public record Tolerance(double atol, double rtol, boolean scaled, String basis) {
    public static final Tolerance FLOAT32 = new Tolerance(1e-4, 1e-3, false, "float32 default");
    /** Measured on fp16 exports of the PaddleOCR and torchvision test models: they use at most 0.27 of it (docs/verify notes in README). */
    public static final Tolerance FLOAT16 =
            new Tolerance(2e-2, 2e-2, true, "float16 default: a model holds half-precision tensors");

    /** The default for one model. */
    public static Tolerance forModel(ModelProto model) {
        return holdsHalfPrecision(model.getGraph()) ? FLOAT16 : FLOAT32;
    }

    /** The default for an export against its original: the looser precision of the two, atol scaled by the outputs. */
    public static Tolerance forPair(ModelProto a, ModelProto b) {
        return holdsHalfPrecision(a.getGraph()) || holdsHalfPrecision(b.getGraph())
                ? FLOAT16
                : new Tolerance(FLOAT32.atol, FLOAT32.rtol, true, "float32 default");
    }

    /** The given values where set, the default otherwise (scaling stays as the default has it). */
    public Tolerance override(Double givenAtol, Double givenRtol) {
        if (givenAtol == null && givenRtol == null) {
            return this;
        }
        return new Tolerance(
                givenAtol != null ? givenAtol : atol,
                givenRtol != null ? givenRtol : rtol,
                scaled,
                givenAtol != null && givenRtol != null ? "given" : "given, the rest " + basis);
    }

    /** The absolute term for an output whose reference has this largest finite magnitude. */
    public double atolFor(double referenceScale) {
        return scaled ? atol * Math.max(referenceScale, Float.MIN_NORMAL) : atol;
    }

    /** e.g. {@code |out - ref| <= 0.02 * max|ref| + 0.02 * |ref|}. */
    public String describe() {
        return String.format("|out - ref| <= %.3g%s + %.3g * |ref|", atol, scaled ? " * max|ref|" : "", rtol);
    }

    /** Whether float16/bfloat16 tensors are stored in the graph (initializers or Constant nodes) or flow through it. */
    static boolean holdsHalfPrecision(GraphProto g) {
        for (TensorProto t : g.getInitializerList()) {
            if (half(t.getDataType())) {
                return true;
            }
        }
        for (NodeProto n : g.getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasT() && half(a.getT().getDataType())) {
                    return true;
                }
                if (n.getOpType().equals("Cast") && a.getName().equals("to") && half((int) a.getI())) {
                    return true;
                }
            }
        }
        return g.getInputList().stream()
                .anyMatch(v -> v.getType().hasTensorType()
                        && half(v.getType().getTensorType().getElemType()));
    }

    private static boolean half(int onnxType) {
        return onnxType == TensorProto.DataType.FLOAT16_VALUE || onnxType == TensorProto.DataType.BFLOAT16_VALUE;
    }
}
