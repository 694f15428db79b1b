package dev.mergenet.importers.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A decoded tensor on the host: little-endian bytes of {@code dataType} in a direct buffer, its shape, and the
 * ONNX type it came from (which differs from the DJL type for widened types, see {@link OnnxDataTypes#toDjl}).
 */
public record TensorData(String name, int onnxType, DataType dataType, Shape shape, ByteBuffer bytes) {

    /** From bytes laid out as ONNX stores {@code onnxType} (little-endian), widened where DJL needs it. */
    public static TensorData fromOnnxBytes(String name, int onnxType, Shape shape, ByteBuffer onnxBytes) {
        DataType dt = OnnxDataTypes.toDjl(onnxType);
        if (dt == null) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "': type " + OnnxDataTypes.name(onnxType) + " cannot be represented");
        }
        ByteBuffer src = onnxBytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(shape.size());
        if (OnnxDataTypes.isExact(onnxType)) {
            ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            copy.put(src).flip();
            return new TensorData(name, onnxType, dt, shape, copy);
        }
        ByteBuffer out = ByteBuffer.allocateDirect(n * dt.getNumOfBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (onnxType) {
                case 16:
                    out.putFloat(Float.intBitsToFloat((src.getShort() & 0xffff) << 16));
                    break; // bfloat16
                case 5:
                    out.putInt(src.getShort());
                    break; // int16
                case 4:
                    out.putInt(src.getShort() & 0xffff);
                    break; // uint16
                case 12:
                    out.putLong(src.getInt() & 0xffffffffL);
                    break; // uint32
                default:
                    out.putLong(src.getLong()); // uint64: same bits
            }
        }
        out.flip();
        return new TensorData(name, onnxType, dt, shape, out);
    }

    /** The bytes as ONNX lays out {@link #onnxType} (narrowing widened types back). */
    public ByteBuffer toOnnxBytes() {
        ByteBuffer src = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        src.rewind();
        if (OnnxDataTypes.isExact(onnxType)) {
            return src;
        }
        int n = Math.toIntExact(shape.size());
        ByteBuffer out = ByteBuffer.allocateDirect(n * OnnxDataTypes.elementSize(onnxType))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (onnxType) {
                case 16:
                    out.putShort((short) (Float.floatToRawIntBits(src.getFloat()) >>> 16));
                    break; // bfloat16
                case 5:
                case 4:
                    out.putShort((short) src.getInt());
                    break; // int16, uint16
                case 12:
                    out.putInt((int) src.getLong());
                    break; // uint32
                default:
                    out.putLong(src.getLong()); // uint64
            }
        }
        out.flip();
        return out;
    }

    /** Copies the bytes into a new array owned by {@code manager} (on the manager's device). */
    public NDArray toNDArray(NDManager manager) {
        ByteBuffer data = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        data.rewind();
        NDArray array = manager.create(data, shape, dataType);
        array.setName(name);
        return array;
    }
}
