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

/** Cast-1 names its target type as a string; the result must truncate toward zero as the spec says. */
class CastTest {
    @Test
    void castOneTakesATypeName() {
        NodeProto node = Models.node("Cast", new String[] {"x"}, new String[] {"y"}, Models.stringAttr("to", "INT32"));
        ModelProto model = Models.singleNode(node, 1,
                new ValueInfoProto[] {Models.value("x", TensorProto.DataType.FLOAT_VALUE, 3)},
                new ValueInfoProto[] {Models.value("y", TensorProto.DataType.INT32_VALUE, 3)});
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(model.toByteArray()), m);
            NDArray y = block.forward(new ParameterStore(m, false), new NDList(m.create(new float[] {-2.7f, 0.4f, 3.9f})),
                    false).singletonOrThrow();
            assertEquals(DataType.INT32, y.getDataType());
            assertArrayEquals(new int[] {-2, 0, 3}, y.toIntArray());
        }
    }
}
