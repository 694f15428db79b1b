package dev.mergenet.importers.ops.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;

/**
 * Cast cases ONNX Runtime cannot check here: Cast-1 names its target type as a string, and types the engine
 * holds widened (bfloat16 as float32, int16/uint16/uint32 as wider integers) must still get their values.
 */
class CastTest {
    private static NDArray cast(NDManager m, NDArray x, int inType, int to) {
        NodeProto node = Models.node("Cast", new String[] {"x"}, new String[] {"y"}, Models.intAttr("to", to));
        ModelProto model = Models.singleNode(
                node, 13, new ValueInfoProto[] {Models.value("x", inType)}, new ValueInfoProto[] {Models.value("y", to)
                });
        OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(model.toByteArray()), m);
        return block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
    }

    /** Round to nearest even on the float's bits: the independent reference for bfloat16. */
    private static float bfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }

    @Test
    void toBfloat16RoundsToEightSignificantBits() {
        float[] x = {
            0f,
            -0f,
            1f,
            1.00390625f,
            1.01171875f,
            3.14159265f,
            -2.7182817f,
            1e-30f,
            3e38f,
            65504f,
            0.1f,
            -123456.78f,
            Float.POSITIVE_INFINITY,
            1.9999999f,
            0.4785156f,
            2.3509887e-38f
        };
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray y = cast(m, m.create(x), TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.BFLOAT16_VALUE);
            float[] got = y.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(bfloat16(x[i]), got[i], "bfloat16 of " + x[i]);
            }
        }
    }

    @Test
    void toNarrowIntegersWraps() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = m.create(new long[] {70000, -70000, 32768, -32769, 5, -1, 4294967297L});
            assertArrayEquals(
                    new int[] {4464, -4464, -32768, 32767, 5, -1, 1},
                    cast(m, x, TensorProto.DataType.INT64_VALUE, TensorProto.DataType.INT16_VALUE)
                            .toIntArray());
            assertArrayEquals(
                    new int[] {4464, 61072, 32768, 32767, 5, 65535, 1},
                    cast(m, x, TensorProto.DataType.INT64_VALUE, TensorProto.DataType.UINT16_VALUE)
                            .toIntArray());
            assertArrayEquals(
                    new long[] {70000, 4294897296L, 32768, 4294934527L, 5, 4294967295L, 1},
                    cast(m, x, TensorProto.DataType.INT64_VALUE, TensorProto.DataType.UINT32_VALUE)
                            .toLongArray());
        }
    }

    @Test
    void castOneTakesATypeName() {
        NodeProto node = Models.node("Cast", new String[] {"x"}, new String[] {"y"}, Models.stringAttr("to", "INT32"));
        ModelProto model = Models.singleNode(
                node,
                1,
                new ValueInfoProto[] {Models.value("x", TensorProto.DataType.FLOAT_VALUE, 3)},
                new ValueInfoProto[] {Models.value("y", TensorProto.DataType.INT32_VALUE, 3)});
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(model.toByteArray()), m);
            NDArray y = block.forward(
                            new ParameterStore(m, false), new NDList(m.create(new float[] {-2.7f, 0.4f, 3.9f})), false)
                    .singletonOrThrow();
            assertEquals(DataType.INT32, y.getDataType());
            assertArrayEquals(new int[] {-2, 0, 3}, y.toIntArray());
        }
    }
}
