package dev.mergenet.importers.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * TensorProto to host bytes, from raw_data, external data or the typed fields. Sizes are checked against
 * the dims before anything large is allocated, so a lying header cannot make us allocate gigabytes.
 */
public final class TensorDecoder {
    private TensorDecoder() {}

    /** Number of elements the dims describe; refuses negative dims and overflow. */
    public static long elementCount(TensorProto t, String origin) {
        long count = 1;
        for (long d : t.getDimsList()) {
            if (d < 0) {
                throw new OnnxFormatException(where(t, origin) + "has a negative dimension in " + t.getDimsList());
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    public static Shape shape(TensorProto t) {
        long[] dims = new long[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
        }
        return new Shape(dims);
    }

    /** Checks that dims, type and stored data agree, without reading the data. */
    public static void check(TensorProto t, String origin, Path baseDir) {
        long count;
        try {
            count = elementCount(t, origin);
        } catch (ArithmeticException e) {
            throw new OnnxFormatException(where(t, origin) + "dims " + t.getDimsList() + " overflow");
        }
        int type = t.getDataType();
        int size = OnnxDataTypes.elementSize(type);
        if (size > 0 && count > Long.MAX_VALUE / size) {
            throw new OnnxFormatException(where(t, origin) + "dims " + t.getDimsList() + " need more than 2^63 bytes");
        }
        if (type == TensorProto.DataType.STRING_VALUE) {
            if (t.getStringDataCount() != count) {
                throw mismatch(t, origin, count, t.getStringDataCount() + " strings");
            }
            return;
        }
        if (size < 0) {
            throw new OnnxFormatException(where(t, origin) + "has unknown data type " + type);
        }
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            ExternalData.Ref ref = ExternalData.resolve(t, origin, baseDir);
            if (ref.length() != count * size) {
                throw mismatch(t, origin, count, ref.length() + " bytes of external data");
            }
            return;
        }
        if (t.hasRawData()) {
            if (t.getRawData().size() != count * size) {
                throw mismatch(
                        t,
                        origin,
                        count,
                        t.getRawData().size() + " bytes of raw_data (" + size + " per element needed)");
            }
            return;
        }
        long stored = typedCount(t);
        if (stored != count) {
            throw mismatch(t, origin, count, stored + " values in its typed field");
        }
    }

    /** Decodes a tensor to host bytes in the DJL layout (after {@link #check}). */
    public static TensorData decode(TensorProto t, String origin, Path baseDir) {
        check(t, origin, baseDir);
        int type = t.getDataType();
        DataType dt = OnnxDataTypes.toDjl(type);
        if (dt == null) {
            throw new OnnxFormatException(
                    where(t, origin) + "has type " + OnnxDataTypes.name(type) + ", which the engine cannot represent");
        }
        long elements = elementCount(t, origin);
        int size = OnnxDataTypes.elementSize(type);
        if (elements * Math.max(size, dt.getNumOfBytes()) > Integer.MAX_VALUE) {
            throw new OnnxFormatException(
                    where(t, origin) + "has " + elements + " elements; one decoded tensor is" + " limited to 2 GiB");
        }
        int count = (int) elements;
        ByteBuffer onnxBytes;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            onnxBytes = ExternalData.read(ExternalData.resolve(t, origin, baseDir), origin, t.getName());
        } else if (t.hasRawData()) {
            onnxBytes = t.getRawData().asReadOnlyByteBuffer();
        } else {
            onnxBytes = ByteBuffer.allocate(Math.max(count * size, 0)).order(ByteOrder.LITTLE_ENDIAN);
            writeTyped(t, type, count, onnxBytes);
            onnxBytes.flip();
        }
        return TensorData.fromOnnxBytes(t.getName(), type, shape(t), onnxBytes);
    }

    public static NDArray toNDArray(TensorProto t, NDManager manager, String origin, Path baseDir) {
        return decode(t, origin, baseDir).toNDArray(manager);
    }

    private static long typedCount(TensorProto t) {
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE:
            case TensorProto.DataType.COMPLEX64_VALUE:
                return t.getDataType() == TensorProto.DataType.COMPLEX64_VALUE
                        ? t.getFloatDataCount() / 2
                        : t.getFloatDataCount();
            case TensorProto.DataType.DOUBLE_VALUE:
                return t.getDoubleDataCount();
            case TensorProto.DataType.INT64_VALUE:
                return t.getInt64DataCount();
            case TensorProto.DataType.UINT32_VALUE:
            case TensorProto.DataType.UINT64_VALUE:
                return t.getUint64DataCount();
            default:
                return t.getInt32DataCount();
        }
    }

    private static void writeTyped(TensorProto t, int type, int count, ByteBuffer out) {
        for (int i = 0; i < count; i++) {
            switch (type) {
                case TensorProto.DataType.FLOAT_VALUE:
                    out.putFloat(t.getFloatData(i));
                    break;
                case TensorProto.DataType.DOUBLE_VALUE:
                    out.putDouble(t.getDoubleData(i));
                    break;
                case TensorProto.DataType.INT64_VALUE:
                    out.putLong(t.getInt64Data(i));
                    break;
                case TensorProto.DataType.UINT32_VALUE:
                    out.putInt((int) t.getUint64Data(i));
                    break;
                case TensorProto.DataType.UINT64_VALUE:
                    out.putLong(t.getUint64Data(i));
                    break;
                case TensorProto.DataType.INT32_VALUE:
                    out.putInt(t.getInt32Data(i));
                    break;
                case TensorProto.DataType.INT16_VALUE:
                case TensorProto.DataType.UINT16_VALUE:
                case TensorProto.DataType.FLOAT16_VALUE:
                case TensorProto.DataType.BFLOAT16_VALUE:
                    out.putShort((short) t.getInt32Data(i));
                    break;
                default: // bool, int8, uint8
                    out.put((byte) t.getInt32Data(i));
            }
        }
    }

    static String where(TensorProto t, String origin) {
        return origin + ": tensor '" + t.getName() + "' ";
    }

    private static OnnxFormatException mismatch(TensorProto t, String origin, long count, String stored) {
        return new OnnxFormatException(where(t, origin) + "has dims " + t.getDimsList() + " (" + count + " elements of "
                + OnnxDataTypes.name(t.getDataType()) + ") but holds " + stored);
    }

    /** Raw little-endian bytes as stored (for byte-exact comparisons); typed fields are re-encoded. */
    public static ByteString rawBytes(TensorProto t, String origin, Path baseDir) {
        TensorData d = decode(t, origin, baseDir);
        return ByteString.copyFrom(d.bytes().duplicate());
    }
}
