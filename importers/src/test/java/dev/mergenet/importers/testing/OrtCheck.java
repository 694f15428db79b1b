package dev.mergenet.importers.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.verify.TensorComparison;
import dev.mergenet.onnx.Onnx.ModelProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a model through the importer and through ONNX Runtime on the same inputs and compares every output. */
public final class OrtCheck {
    private OrtCheck() {}

    public static void assertMatchesOrt(ModelProto proto, GradientCheck.InputMaker make, double atol, double rtol) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                OrtRunner ort = new OrtRunner(proto.toByteArray(), "test model")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(proto.toByteArray()), manager);
            NDList inputs = make.make(manager);
            Map<String, TensorData> feeds = new LinkedHashMap<>();
            List<String> names = block.inputNames();
            for (int i = 0; i < names.size(); i++) {
                feeds.put(names.get(i), host(names.get(i), inputs.get(i)));
            }
            Map<String, TensorData> expected = ort.run(feeds);
            NDList out = block.forward(new ParameterStore(manager, false), inputs, false);
            List<String> outNames = block.outputNames();
            assertEquals(outNames.size(), out.size());
            for (int k = 0; k < out.size(); k++) {
                TensorComparison.Result r =
                        TensorComparison.compare(out.get(k), expected.get(outNames.get(k)), atol, rtol);
                assertTrue(r.ok(), "output '" + outNames.get(k) + "': " + r.reason());
            }
        }
    }

    public static TensorData host(String name, NDArray a) {
        ByteBuffer src = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(src);
        copy.flip();
        return new TensorData(name, OnnxDataTypes.toOnnx(a.getDataType()), a.getDataType(), a.getShape(), copy);
    }
}
