package dev.mergenet.importers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The types that own native memory or a session are AutoCloseable; a use after close names the model. */
class UseAfterCloseTest {
    /** y = x W^T with W = [[1, 2], [3, 4], [5, 6]]; input [1, 2]. */
    private static ModelProto gemm() {
        GraphProto g = GraphProto.newBuilder()
                .setName("gemm")
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 1, 2))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE))
                .addInitializer(Models.floats("w", new long[] {3, 2}, 1, 2, 3, 4, 5, 6))
                .addNode(Models.node("Gemm", new String[] {"x", "w"}, new String[] {"y"}, Models.intAttr("transB", 1)))
                .build();
        return Models.model(g, 13);
    }

    @Test
    void aClosedGraphBlockRefusesToRunOrHandOutItsParameters() {
        OnnxModel model = OnnxModelReader.read(gemm().toByteArray(), "gemm.onnx", null);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDList x = new NDList(manager.create(new float[] {1, -1}, new Shape(1, 2)));
            ParameterStore store = new ParameterStore(manager, false);
            OnnxGraphBlock kept;
            try (OnnxGraphBlock block = OnnxImporter.load(model, manager)) {
                assertArrayEquals(
                        new float[] {-1, -1, -1},
                        block.forward(store, x, false).singletonOrThrow().toFloatArray());
                assertFalse(block.isClosed());
                kept = block;
            }
            assertTrue(kept.isClosed());
            for (Executable use : new Executable[] {
                () -> kept.forward(store, x, false),
                () -> kept.onnxParameters(),
                () -> kept.parameter("w"),
                () -> kept.frozenTensors(),
                () -> kept.getOutputShapes(new Shape[] {new Shape(1, 2)})
            }) {
                IllegalStateException e = assertThrows(IllegalStateException.class, use);
                assertTrue(e.getMessage().startsWith("gemm.onnx: the imported graph was closed"), e.getMessage());
            }
            kept.close(); // a second close does nothing
        }
    }

    @Test
    void aClosedOrtRunnerRefusesToRun() {
        ByteBuffer b = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(1)
                .putFloat(-1);
        Map<String, TensorData> in =
                Map.of("x", TensorData.fromOnnxBytes("x", TensorProto.DataType.FLOAT_VALUE, new Shape(1, 2), b.flip()));
        OrtRunner kept;
        try (OrtRunner ort = new OrtRunner(gemm().toByteArray(), "gemm.onnx")) {
            TensorData y = ort.run(in).get("y");
            assertEquals(new Shape(1, 3), y.shape());
            kept = ort;
        }
        for (Executable use :
                new Executable[] {() -> kept.run(in), kept::inputNames, kept::outputNames, kept::inputInfo}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use);
            assertTrue(e.getMessage().startsWith("gemm.onnx: the ONNX Runtime session was closed"), e.getMessage());
        }
        kept.close();
    }
}
