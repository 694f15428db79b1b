package dev.mergenet.importers.onnx;

import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;

/** Structural checks done right after parsing, so later stages can trust the model's shape. */
final class ModelValidator {
    private ModelValidator() {}

    static void validate(OnnxModel model) {
        ModelProto p = model.proto();
        String origin = model.origin();
        if (!p.hasGraph()) {
            throw new OnnxFormatException(
                    origin + ": not an ONNX model (no graph; is the file truncated or not ONNX?)");
        }
        if (p.getIrVersion() <= 0 || p.getIrVersion() > 64) {
            throw new OnnxFormatException(origin + ": not an ONNX model (ir_version " + p.getIrVersion() + ")");
        }
        if (p.getGraph().getOutputCount() == 0) {
            throw new OnnxFormatException(origin + ": graph '" + p.getGraph().getName() + "' declares no outputs");
        }
        validateGraph(p.getGraph(), model);
    }

    private static void validateGraph(GraphProto g, OnnxModel model) {
        for (TensorProto t : g.getInitializerList()) {
            TensorDecoder.check(t, model.origin(), model.baseDir());
        }
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().isEmpty()) {
                throw new OnnxFormatException(model.origin() + ": node '" + n.getName() + "' has no op_type");
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasT()) {
                    TensorDecoder.check(a.getT(), model.origin(), model.baseDir());
                }
                if (a.hasG()) {
                    validateGraph(a.getG(), model);
                }
                for (GraphProto sub : a.getGraphsList()) {
                    validateGraph(sub, model);
                }
            }
        }
    }
}
