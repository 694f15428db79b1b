package dev.mergenet.importers.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every ONNX dtype decodes the same from raw_data (little-endian) and from its typed field. */
class TensorDecoderTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static TensorProto.Builder tensor(int type, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName("t").setDataType(type);
        for (long d : dims) {
            b.addDims(d);
        }
        return b;
    }

    private static ByteString le(int bytesPerElement, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * bytesPerElement).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytesPerElement) {
                case 1:
                    b.put((byte) v);
                    break;
                case 2:
                    b.putShort((short) v);
                    break;
                case 4:
                    b.putInt((int) v);
                    break;
                default:
                    b.putLong(v);
            }
        }
        return ByteString.copyFrom(b.array());
    }

    private NDArray decode(TensorProto t) {
        return TensorDecoder.toNDArray(t, manager, "test.onnx", null);
    }

    @Test
    void floatFromRawAndTyped() {
        float[] v = {1.5f, -2f, 3.25f, 0f, Float.NaN, -0f};
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        NDArray raw = decode(
                tensor(1, 2, 3).setRawData(ByteString.copyFrom(b.array())).build());
        TensorProto.Builder typed = tensor(1, 2, 3);
        for (float x : v) {
            typed.addFloatData(x);
        }
        assertEquals(DataType.FLOAT32, raw.getDataType());
        assertEquals(new Shape(2, 3), raw.getShape());
        assertArrayEquals(v, raw.toFloatArray());
        assertArrayEquals(v, decode(typed.build()).toFloatArray());
    }

    @Test
    void doubleFromRawAndTyped() {
        double[] v = {1e300, -2.5, 0.125};
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putDouble(x);
        }
        assertArrayEquals(
                v,
                decode(tensor(11, 3).setRawData(ByteString.copyFrom(b.array())).build())
                        .toDoubleArray());
        assertArrayEquals(
                v,
                decode(tensor(11, 3)
                                .addDoubleData(v[0])
                                .addDoubleData(v[1])
                                .addDoubleData(v[2])
                                .build())
                        .toDoubleArray());
    }

    @Test
    void float16AndBfloat16() {
        short[] halves = {Float16.fromFloat(1.5f), Float16.fromFloat(-0.25f), Float16.fromFloat(65504f)};
        NDArray raw = decode(
                tensor(10, 3).setRawData(le(2, halves[0], halves[1], halves[2])).build());
        assertEquals(DataType.FLOAT16, raw.getDataType());
        assertArrayEquals(
                new float[] {1.5f, -0.25f, 65504f},
                raw.toType(DataType.FLOAT32, false).toFloatArray());
        NDArray typed = decode(tensor(10, 3)
                .addInt32Data(halves[0] & 0xffff)
                .addInt32Data(halves[1] & 0xffff)
                .addInt32Data(halves[2] & 0xffff)
                .build());
        assertArrayEquals(
                raw.toType(DataType.FLOAT32, false).toFloatArray(),
                typed.toType(DataType.FLOAT32, false).toFloatArray());
        // bfloat16 is the top half of a float32; DJL's PyTorch engine cannot hold it, so it is widened
        int bf = Float.floatToIntBits(-3.5f) >>> 16;
        NDArray b = decode(tensor(16, 1).addInt32Data(bf).build());
        assertEquals(DataType.FLOAT32, b.getDataType());
        assertEquals(-3.5f, b.getFloat(), 0f);
        assertEquals(-3.5f, decode(tensor(16, 1).setRawData(le(2, bf)).build()).getFloat(), 0f);
        TensorData back =
                TensorDecoder.decode(tensor(16, 1).setRawData(le(2, bf)).build(), "t", null);
        assertEquals((short) bf, back.toOnnxBytes().getShort(0));
    }

    @Test
    void signedIntegers() {
        long[] v = {-128, 5, 127};
        assertArrayEquals(
                new byte[] {-128, 5, 127},
                decode(tensor(3, 3).setRawData(le(1, v)).build()).toByteArray());
        assertArrayEquals(
                new byte[] {-128, 5, 127},
                decode(tensor(3, 3)
                                .addInt32Data(-128)
                                .addInt32Data(5)
                                .addInt32Data(127)
                                .build())
                        .toByteArray());
        NDArray i16 = decode(tensor(5, 2).addInt32Data(-30000).addInt32Data(12).build());
        assertEquals(DataType.INT32, i16.getDataType()); // widened: the engine has no int16
        assertArrayEquals(new int[] {-30000, 12}, i16.toIntArray());
        assertArrayEquals(
                new int[] {-30000, 12},
                decode(tensor(5, 2).setRawData(le(2, -30000, 12)).build()).toIntArray());
        assertArrayEquals(
                new int[] {Integer.MIN_VALUE, 7},
                decode(tensor(6, 2)
                                .addInt32Data(Integer.MIN_VALUE)
                                .addInt32Data(7)
                                .build())
                        .toIntArray());
        assertArrayEquals(
                new int[] {Integer.MIN_VALUE, 7},
                decode(tensor(6, 2).setRawData(le(4, Integer.MIN_VALUE, 7)).build())
                        .toIntArray());
        assertArrayEquals(
                new long[] {Long.MIN_VALUE, 9},
                decode(tensor(7, 2).addInt64Data(Long.MIN_VALUE).addInt64Data(9).build())
                        .toLongArray());
        assertArrayEquals(
                new long[] {Long.MIN_VALUE, 9},
                decode(tensor(7, 2).setRawData(le(8, Long.MIN_VALUE, 9)).build())
                        .toLongArray());
    }

    @Test
    void unsignedIntegersAndBool() {
        NDArray u8 = decode(tensor(2, 2).addInt32Data(255).addInt32Data(1).build());
        assertEquals(DataType.UINT8, u8.getDataType());
        assertArrayEquals(new byte[] {(byte) 255, 1}, u8.toByteArray());
        assertArrayEquals(
                new byte[] {(byte) 255, 1},
                decode(tensor(2, 2).setRawData(le(1, 255, 1)).build()).toByteArray());
        assertArrayEquals(
                new int[] {65535, 3},
                decode(tensor(4, 2).addInt32Data(65535).addInt32Data(3).build()).toIntArray());
        assertArrayEquals(
                new int[] {65535, 3},
                decode(tensor(4, 2).setRawData(le(2, 65535, 3)).build()).toIntArray());
        assertArrayEquals(
                new long[] {4294967295L},
                decode(tensor(12, 1).addUint64Data(4294967295L).build()).toLongArray());
        assertArrayEquals(
                new long[] {4294967295L},
                decode(tensor(12, 1).setRawData(le(4, 4294967295L)).build()).toLongArray());
        assertArrayEquals(
                new long[] {-1L},
                decode(tensor(13, 1).addUint64Data(-1L).build()).toLongArray());
        TensorData u64raw =
                TensorDecoder.decode(tensor(13, 1).setRawData(le(8, -1L)).build(), "t", null);
        assertEquals(-1L, u64raw.toOnnxBytes().getLong(0));
        assertEquals(
                (short) 65535,
                TensorDecoder.decode(tensor(4, 1).setRawData(le(2, 65535)).build(), "t", null)
                        .toOnnxBytes()
                        .getShort(0));
        NDArray bool = decode(
                tensor(9, 3).addInt32Data(1).addInt32Data(0).addInt32Data(1).build());
        assertEquals(DataType.BOOLEAN, bool.getDataType());
        assertArrayEquals(new boolean[] {true, false, true}, bool.toBooleanArray());
        assertArrayEquals(
                new boolean[] {true, false, true},
                decode(tensor(9, 3).setRawData(le(1, 1, 0, 1)).build()).toBooleanArray());
    }

    @Test
    void scalarAndEmpty() {
        assertEquals(4.5f, decode(tensor(1).addFloatData(4.5f).build()).getFloat(), 0f);
        NDArray empty = decode(tensor(1, 0, 3).build());
        assertEquals(new Shape(0, 3), empty.getShape());
    }

    @Test
    void dimsThatDisagreeWithDataAreRefusedBeforeAllocation() {
        // 2^40 elements claimed, 8 bytes stored: must fail on the sizes, not try to allocate 4 TiB
        TensorProto liar = tensor(1, 1L << 20, 1L << 20).setRawData(le(4, 1, 2)).build();
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> decode(liar));
        assertTrue(e.getMessage().contains("tensor 't'") && e.getMessage().contains("test.onnx"), e.getMessage());
        assertThrows(
                OnnxFormatException.class,
                () -> decode(tensor(1, 3).addFloatData(1f).build()));
        assertThrows(OnnxFormatException.class, () -> decode(tensor(1, -2).build()));
        assertThrows(
                OnnxFormatException.class,
                () -> decode(tensor(1, Long.MAX_VALUE, 4).build()));
    }

    @Test
    void float16ConversionRoundsToNearestEven() {
        for (float f : new float[] {0f, 1f, -1f, 0.1f, 65504f, 6.1e-5f, 5.96e-8f, 1e-9f, 70000f}) {
            float back = Float16.toFloat(Float16.fromFloat(f));
            if (Math.abs(f) > 65504f) {
                assertTrue(Float.isInfinite(back));
            } else {
                assertTrue(Math.abs(back - f) <= Math.max(Math.abs(f) * 1e-3, 6e-8), f + " -> " + back);
            }
        }
        assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN))));
    }
}
