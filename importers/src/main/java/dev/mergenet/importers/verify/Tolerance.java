package dev.mergenet.importers.verify;

import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;

/**
 * The tolerance of a verification, |out - ref| <= atol + rtol * |ref|, and why it was chosen. Defaults follow the
 * precision the model computes in: float32 agrees to float32 rounding; a model with float16 (or bfloat16) weights
 * computes in half precision in ONNX Runtime and can only agree to half-precision rounding.
 */
public record Tolerance(double atol, double rtol, String basis) {
    public static final Tolerance FLOAT32 = new Tolerance(1e-4, 1e-3, "float32 default");
    /** Measured: fp16 exports of the PaddleOCR and torchvision test models stay below a tenth of this (docs). */
    public static final Tolerance FLOAT16 = new Tolerance(2e-2, 2e-2, "float16 default: the model holds half-precision weights");

    /** The default for one model. */
    public static Tolerance forModel(ModelProto model) {
        return holdsHalfPrecision(model.getGraph()) ? FLOAT16 : FLOAT32;
    }

    /** The default for comparing two models: the looser of the two. */
    public static Tolerance forPair(ModelProto a, ModelProto b) {
        return holdsHalfPrecision(a.getGraph()) || holdsHalfPrecision(b.getGraph()) ? FLOAT16 : FLOAT32;
    }

    /** The given values where set, the default otherwise. */
    public Tolerance override(Double givenAtol, Double givenRtol) {
        if (givenAtol == null && givenRtol == null) {
            return this;
        }
        return new Tolerance(givenAtol != null ? givenAtol : atol, givenRtol != null ? givenRtol : rtol,
                givenAtol != null && givenRtol != null ? "given" : "given, the rest " + basis);
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
        return g.getInputList().stream().anyMatch(v -> v.getType().hasTensorType()
                && half(v.getType().getTensorType().getElemType()));
    }

    private static boolean half(int onnxType) {
        return onnxType == TensorProto.DataType.FLOAT16_VALUE || onnxType == TensorProto.DataType.BFLOAT16_VALUE;
    }
}
