package dev.mergenet.exporters.deploy;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.HashSet;
import java.util.Set;

/**
 * Declares the shape the model was trained with on its data input: [batch, ...sample] (e.g. [N,1,28,28] after
 * training at 28x28 instead of the original [N,3,128,128]). The batch dim stays as the model had it.
 */
public final class InputShape {
    private InputShape() {}

    /**
     * The model with its data input declaring {@code sample} after the batch dim; a null entry in
     * {@code symbolic} keeps that dim fixed, a name makes it symbolic. Intermediate value_info, which describes the
     * old shape, is dropped when the shape changes (tools infer it again).
     */
    public static ModelProto declare(ModelProto model, long[] sample, String[] symbolic, String origin) {
        GraphProto g = model.getGraph();
        ValueInfoProto input = dataInput(g, origin);
        TensorShapeProto old = input.getType().getTensorType().getShape();
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDim(
                old.getDimCount() > 0
                        ? old.getDim(0)
                        : TensorShapeProto.Dimension.newBuilder()
                                .setDimParam("batch")
                                .build());
        for (int i = 0; i < sample.length; i++) {
            String name = symbolic == null ? null : symbolic[i];
            shape.addDim(
                    name != null
                            ? TensorShapeProto.Dimension.newBuilder()
                                    .setDimParam(name)
                                    .build()
                            : TensorShapeProto.Dimension.newBuilder()
                                    .setDimValue(sample[i])
                                    .build());
        }
        if (input.getType().getTensorType().hasShape() && shape.build().equals(old)) {
            return model;
        }
        GraphProto.Builder gb = g.toBuilder();
        for (int i = 0; i < gb.getInputCount(); i++) {
            if (gb.getInput(i).getName().equals(input.getName())) {
                ValueInfoProto.Builder v = gb.getInput(i).toBuilder();
                v.getTypeBuilder().getTensorTypeBuilder().setShape(shape);
                gb.setInput(i, v);
            }
        }
        gb.clearValueInfo();
        return model.toBuilder().setGraph(gb).build();
    }

    /** The graph's one input that is not an initializer. */
    static ValueInfoProto dataInput(GraphProto g, String origin) {
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            initializers.add(t.getName());
        }
        ValueInfoProto found = null;
        for (ValueInfoProto v : g.getInputList()) {
            if (initializers.contains(v.getName())) {
                continue;
            }
            if (found != null) {
                throw new MergeNetException(origin + ": the model has more than one data input ('" + found.getName()
                        + "', '" + v.getName() + "'); the trained input shape and preprocessing apply to one");
            }
            found = v;
        }
        if (found == null || !found.getType().hasTensorType()) {
            throw new MergeNetException(origin + ": the model has no tensor data input");
        }
        return found;
    }
}
