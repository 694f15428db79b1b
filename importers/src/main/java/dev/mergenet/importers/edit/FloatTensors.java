package dev.mergenet.importers.edit;

import com.google.protobuf.ByteString;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Float initializers written by graph edits: raw little-endian data, as exporters write them. */
public final class FloatTensors {
    private FloatTensors() {}

    /**
     * A float32 tensor.
     *
     * @param name the tensor's name
     * @param dims its shape (the product must equal {@code values.length})
     * @param values the elements in row-major order
     * @return the tensor with its data in {@code raw_data}
     */
    public static TensorProto of(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
