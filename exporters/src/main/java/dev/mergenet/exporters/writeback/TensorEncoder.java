package dev.mergenet.exporters.writeback;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Host bytes to TensorProto, either in a new tensor or in the storage form of an existing one. */
public final class TensorEncoder {
    private TensorEncoder() {}

    /** The array's values as little-endian bytes in ONNX type {@code onnxType} (converted if the types differ). */
    public static ByteBuffer bytes(NDArray value, int onnxType) {
        DataType want = OnnxDataTypes.toDjl(onnxType);
        if (want == null) {
            throw new MergeNetException("cannot encode values as ONNX type " + OnnxDataTypes.name(onnxType));
        }
        ByteBuffer src;
        if (value.getDataType() == want) {
            src = value.toByteBuffer();
        } else {
            try (NDArray converted = value.toType(want, true)) {
                src = converted.toByteBuffer();
            }
        }
        ByteBuffer copy = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(src.order(ByteOrder.LITTLE_ENDIAN));
        copy.flip();
        return copy;
    }

    /**
     * {@code original} with new contents, same name, dims, type, doc string and storage form: raw_data stays
     * raw_data, a typed field stays that typed field. External tensors come back inline; the file writer
     * decides where data lives.
     */
    public static TensorProto encodeLike(TensorProto original, ByteBuffer littleEndian) {
        ByteBuffer data = littleEndian.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        TensorProto.Builder b = original.toBuilder()
                .clearRawData()
                .clearFloatData()
                .clearDoubleData()
                .clearInt32Data()
                .clearInt64Data()
                .clearUint64Data()
                .clearExternalData()
                .clearDataLocation();
        boolean typed = !original.hasRawData() && original.getDataLocation() != TensorProto.DataLocation.EXTERNAL;
        if (!typed) {
            return b.setRawData(ByteString.copyFrom(data)).build();
        }
        int type = original.getDataType();
        switch (type) {
            case TensorProto.DataType.FLOAT_VALUE:
                while (data.hasRemaining()) {
                    b.addFloatData(data.getFloat());
                }
                break;
            case TensorProto.DataType.DOUBLE_VALUE:
                while (data.hasRemaining()) {
                    b.addDoubleData(data.getDouble());
                }
                break;
            case TensorProto.DataType.FLOAT16_VALUE:
            case TensorProto.DataType.BFLOAT16_VALUE:
                while (data.hasRemaining()) {
                    b.addInt32Data(data.getShort() & 0xffff);
                }
                break;
            default:
                // only float tensors are trained; anything else is stored raw
                return b.setRawData(ByteString.copyFrom(data)).build();
        }
        return b.build();
    }

    /** A new raw_data tensor from an array. */
    public static TensorProto create(String name, NDArray value) {
        int type = OnnxDataTypes.toOnnx(value.getDataType());
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type);
        for (long d : value.getShape().getShape()) {
            b.addDims(d);
        }
        return b.setRawData(ByteString.copyFrom(bytes(value, type))).build();
    }
}
