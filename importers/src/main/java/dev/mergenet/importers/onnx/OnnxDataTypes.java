package dev.mergenet.importers.onnx;

import ai.djl.ndarray.types.DataType;
import dev.mergenet.onnx.Onnx.TensorProto;

/** ONNX element types and their DJL counterparts. */
public final class OnnxDataTypes {
    private OnnxDataTypes() {}

    /**
     * The DJL type that stores ONNX type {@code onnxType}, or null when there is none. DJL's PyTorch engine
     * aborts the process on bfloat16, int16 and unsigned 16/32/64-bit arrays, so those are widened on the host
     * (bfloat16 to float32, int16/uint16 to int32, uint32/uint64 to int64): values survive, the exact type does
     * not (see {@link #isExact}).
     */
    public static DataType toDjl(int onnxType) {
        switch (onnxType) {
            case TensorProto.DataType.BFLOAT16_VALUE:
                return DataType.FLOAT32;
            case TensorProto.DataType.INT16_VALUE:
            case TensorProto.DataType.UINT16_VALUE:
                return DataType.INT32;
            case TensorProto.DataType.UINT32_VALUE:
            case TensorProto.DataType.UINT64_VALUE:
                return DataType.INT64;
            default:
                return exactDjl(onnxType);
        }
    }

    /** True when the engine holds ONNX type {@code onnxType} as itself (not widened, not missing). */
    public static boolean isExact(int onnxType) {
        return exactDjl(onnxType) != null;
    }

    private static DataType exactDjl(int onnxType) {
        switch (onnxType) {
            case TensorProto.DataType.FLOAT_VALUE:
                return DataType.FLOAT32;
            case TensorProto.DataType.DOUBLE_VALUE:
                return DataType.FLOAT64;
            case TensorProto.DataType.FLOAT16_VALUE:
                return DataType.FLOAT16;
            case TensorProto.DataType.INT8_VALUE:
                return DataType.INT8;
            case TensorProto.DataType.UINT8_VALUE:
                return DataType.UINT8;
            case TensorProto.DataType.INT32_VALUE:
                return DataType.INT32;
            case TensorProto.DataType.INT64_VALUE:
                return DataType.INT64;
            case TensorProto.DataType.BOOL_VALUE:
                return DataType.BOOLEAN;
            default:
                return null;
        }
    }

    public static int toOnnx(DataType type) {
        switch (type) {
            case FLOAT32:
                return TensorProto.DataType.FLOAT_VALUE;
            case FLOAT64:
                return TensorProto.DataType.DOUBLE_VALUE;
            case FLOAT16:
                return TensorProto.DataType.FLOAT16_VALUE;
            case BFLOAT16:
                return TensorProto.DataType.BFLOAT16_VALUE;
            case INT8:
                return TensorProto.DataType.INT8_VALUE;
            case UINT8:
                return TensorProto.DataType.UINT8_VALUE;
            case INT16:
                return TensorProto.DataType.INT16_VALUE;
            case INT32:
                return TensorProto.DataType.INT32_VALUE;
            case INT64:
                return TensorProto.DataType.INT64_VALUE;
            case UINT16:
                return TensorProto.DataType.UINT16_VALUE;
            case UINT32:
                return TensorProto.DataType.UINT32_VALUE;
            case UINT64:
                return TensorProto.DataType.UINT64_VALUE;
            case BOOLEAN:
                return TensorProto.DataType.BOOL_VALUE;
            default:
                throw new IllegalArgumentException("no ONNX type for " + type);
        }
    }

    /** Bytes per element in raw_data, or -1 for types without a fixed size (string). */
    public static int elementSize(int onnxType) {
        switch (onnxType) {
            case TensorProto.DataType.BOOL_VALUE:
            case TensorProto.DataType.INT8_VALUE:
            case TensorProto.DataType.UINT8_VALUE:
            case TensorProto.DataType.FLOAT8E4M3FN_VALUE:
            case TensorProto.DataType.FLOAT8E4M3FNUZ_VALUE:
            case TensorProto.DataType.FLOAT8E5M2_VALUE:
            case TensorProto.DataType.FLOAT8E5M2FNUZ_VALUE:
                return 1;
            case TensorProto.DataType.FLOAT16_VALUE:
            case TensorProto.DataType.BFLOAT16_VALUE:
            case TensorProto.DataType.INT16_VALUE:
            case TensorProto.DataType.UINT16_VALUE:
                return 2;
            case TensorProto.DataType.FLOAT_VALUE:
            case TensorProto.DataType.INT32_VALUE:
            case TensorProto.DataType.UINT32_VALUE:
                return 4;
            case TensorProto.DataType.DOUBLE_VALUE:
            case TensorProto.DataType.INT64_VALUE:
            case TensorProto.DataType.UINT64_VALUE:
            case TensorProto.DataType.COMPLEX64_VALUE:
                return 8;
            case TensorProto.DataType.COMPLEX128_VALUE:
                return 16;
            default:
                return -1;
        }
    }

    public static boolean isFloat(int onnxType) {
        return onnxType == TensorProto.DataType.FLOAT_VALUE
                || onnxType == TensorProto.DataType.DOUBLE_VALUE
                || onnxType == TensorProto.DataType.FLOAT16_VALUE
                || onnxType == TensorProto.DataType.BFLOAT16_VALUE;
    }

    public static String name(int onnxType) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(onnxType);
        return t == null ? "type " + onnxType : t.name();
    }
}
