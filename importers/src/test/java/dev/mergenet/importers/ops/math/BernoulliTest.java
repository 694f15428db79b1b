package dev.mergenet.importers.ops.math;

import static dev.mergenet.importers.testing.Models.intAttr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.importers.verify.ConformanceRunner;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bernoulli draws are random, so the backend cases cannot match value for value: their shape and type must,
 * every value must be 0 or 1, certain probabilities must give certain outcomes, and frequencies must follow p.
 */
class BernoulliTest {
    @ParameterizedTest
    @ValueSource(strings = {"test_bernoulli", "test_bernoulli_double", "test_bernoulli_seed"})
    void backendCaseHasReferenceShapeAndType(String name) throws Exception {
        Path dir = TestData.onnxCase("node", name);
        OnnxModel model = OnnxModelReader.read(dir.resolve("model.onnx"));
        TensorData x = ConformanceRunner.readTensor(dir.resolve("test_data_set_0/input_0.pb"));
        TensorData expected = ConformanceRunner.readTensor(dir.resolve("test_data_set_0/output_0.pb"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(model, m);
            NDArray y = block.forward(new ParameterStore(m, false), new NDList(x.toNDArray(m)), false)
                    .singletonOrThrow();
            assertEquals(expected.dataType(), y.getDataType());
            assertEquals(expected.shape(), y.getShape());
            for (double v : y.toType(DataType.FLOAT64, false).toDoubleArray()) {
                assertTrue(v == 0 || v == 1, "draw " + v + " is not 0 or 1");
            }
        }
    }

    @Test
    void frequenciesFollowTheProbabilities() {
        int n = 4000;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = i % 4 == 0 ? 0 : i % 4 == 1 ? 1 : 0.3;
        }
        ModelProto model = Models.singleNode(
                Models.node(
                        "Bernoulli",
                        new String[] {"p"},
                        new String[] {"y"},
                        intAttr("dtype", TensorProto.DataType.INT32_VALUE)),
                15,
                new ValueInfoProto[] {Models.value("p", TensorProto.DataType.DOUBLE_VALUE, n)},
                new ValueInfoProto[] {Models.value("y", TensorProto.DataType.INT32_VALUE, n)});
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(model.toByteArray()), m);
            NDArray y = block.forward(new ParameterStore(m, false), new NDList(m.create(p, new Shape(n))), false)
                    .singletonOrThrow();
            assertEquals(DataType.INT32, y.getDataType());
            int[] v = y.toIntArray();
            int ones = 0;
            for (int i = 0; i < n; i++) {
                if (i % 4 == 0) {
                    assertEquals(0, v[i], "p = 0 drew 1 at " + i);
                } else if (i % 4 == 1) {
                    assertEquals(1, v[i], "p = 1 drew 0 at " + i);
                } else {
                    ones += v[i];
                }
            }
            double frequency = ones / (n / 2.0);
            // 2000 draws at p = 0.3: the standard error is about 0.01, so 0.05 is five of them
            assertTrue(Math.abs(frequency - 0.3) < 0.05, "frequency " + frequency + " for p = 0.3");
        }
    }
}
