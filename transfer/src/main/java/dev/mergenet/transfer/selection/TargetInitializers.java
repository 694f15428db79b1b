package dev.mergenet.transfer.selection;

import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A target model with some float32 initializers replaced (e.g. by a selection): a new proto, the input untouched. */
public final class TargetInitializers {
    private TargetInitializers() {}

    public static OnnxModel apply(OnnxModel target, Map<String, HostTensor> tensors) {
        GraphProto.Builder g = target.proto().getGraph().toBuilder();
        Set<String> done = new HashSet<>();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            HostTensor h = tensors.get(t.getName());
            if (h == null) {
                continue;
            }
            long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE || !Arrays.equals(dims, h.shape())) {
                throw new MergeNetException(target.origin() + ": initializer '" + t.getName() + "' is "
                        + Arrays.toString(dims) + " of type " + t.getDataType() + ", the new value a float32 "
                        + h.shapeText());
            }
            ByteBuffer b = ByteBuffer.allocate(4 * h.values().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(h.values());
            g.setInitializer(i, TensorProto.newBuilder().setName(t.getName()).addAllDims(t.getDimsList())
                    .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array())).build());
            done.add(t.getName());
        }
        for (String name : tensors.keySet()) {
            if (!done.contains(name)) {
                throw new MergeNetException(target.origin() + ": no initializer named '" + name + "' to replace");
            }
        }
        return target.withProto(target.proto().toBuilder().setGraph(g).build());
    }
}
