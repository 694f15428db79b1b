package dev.mergenet.importers.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.OrtCheck;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.importers.verify.TensorComparison;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three PaddleOCR models (direction classifier, PP-OCRv4 detector and recognizer) import, match ONNX Runtime
 * on seeded random inputs (atol 1e-4, rtol 1e-3, every output), and expose every float weight, all of which
 * these models keep in Constant nodes, as a trainable parameter.
 */
class PaddleOcrParityTest {
    private static final double ATOL = 1e-4;
    private static final double RTOL = 1e-3;

    /** Input slots whose float tensors are settings, not weights (they stay frozen by design). */
    private static final Map<String, Set<Integer>> SETTINGS = Map.of("Resize", Set.of(1, 2), "Upsample", Set.of(1));

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(TestData.ocrClassifier(), new long[] {1, 3, 48, 192}),
                Arguments.of(TestData.ocrDetector(), new long[] {1, 3, 320, 320}),
                Arguments.of(TestData.ocrRecognizer(), new long[] {1, 3, 48, 320}));
    }

    /** Other batch sizes and widths than the deployment shapes (the exported inputs are dynamic). */
    static Stream<Arguments> otherShapes() {
        return Stream.of(
                Arguments.of(TestData.ocrClassifier(), new long[] {3, 3, 48, 192}),
                Arguments.of(TestData.ocrDetector(), new long[] {2, 3, 160, 224}),
                Arguments.of(TestData.ocrRecognizer(), new long[] {2, 3, 48, 160}));
    }

    @ParameterizedTest
    @MethodSource("otherShapes")
    void matchesOnnxRuntimeAtOtherBatchSizesAndWidths(Path file, long[] shape) {
        matchesOnnxRuntimeOnEveryOutput(file, shape);
    }

    @ParameterizedTest
    @MethodSource("models")
    void matchesOnnxRuntimeOnEveryOutput(Path file, long[] shape) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                OrtRunner ort = new OrtRunner(file)) {
            try (OnnxGraphBlock block = OnnxImporter.load(file, manager)) {
                assertEquals(1, block.inputNames().size(), file + ": one image input");
                Random rnd = new Random(2024);
                float[] pixels = new float[(int) new Shape(shape).size()];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = rnd.nextFloat() * 2 - 1;
                }
                NDArray x = manager.create(pixels, new Shape(shape));
                Map<String, TensorData> feeds = new LinkedHashMap<>();
                feeds.put(
                        block.inputNames().get(0),
                        OrtCheck.host(block.inputNames().get(0), x));
                Map<String, TensorData> expected = ort.run(feeds);
                NDList out = block.forward(new ParameterStore(manager, false), new NDList(x), false);
                List<String> names = block.outputNames();
                assertEquals(expected.size(), names.size());
                for (int k = 0; k < names.size(); k++) {
                    TensorComparison.Result r =
                            TensorComparison.compare(out.get(k), expected.get(names.get(k)), ATOL, RTOL);
                    assertTrue(r.ok(), file.getFileName() + " output '" + names.get(k) + "': " + r.reason());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyFloatWeightIsATrainableParameter(Path file, long[] shape) {
        OnnxModel model = OnnxModelReader.read(file);
        Map<String, Boolean> settingOnly = new HashMap<>();
        for (NodeProto n : model.proto().getGraph().getNodeList()) {
            Set<Integer> settings = SETTINGS.getOrDefault(n.getOpType(), Set.of());
            for (int i = 0; i < n.getInputCount(); i++) {
                settingOnly.merge(n.getInput(i), settings.contains(i), Boolean::logicalAnd);
            }
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            try (OnnxGraphBlock block = OnnxImporter.load(model, manager)) {
                int weights = 0;
                long elements = 0;
                for (NodeProto n : model.proto().getGraph().getNodeList()) {
                    if (!n.getOpType().equals("Constant")
                            || n.getAttributeCount() == 0
                            || !n.getAttribute(0).hasT()) {
                        continue;
                    }
                    TensorProto t = n.getAttribute(0).getT();
                    String value = n.getOutput(0);
                    long count = TensorDecoder.elementCount(t, file.toString());
                    if (!OnnxDataTypes.isFloat(t.getDataType())
                            || count <= 1
                            || settingOnly.getOrDefault(value, false)) {
                        continue;
                    }
                    Parameter p = block.onnxParameters().get(value);
                    assertNotNull(p, file.getFileName() + ": float constant '" + value + "' is not a parameter");
                    boolean stat = block.runningStatNames().contains(value);
                    assertEquals(
                            !stat, p.requiresGradient(), value + (stat ? " is a running statistic" : " must train"));
                    assertEquals(count, p.getArray().size(), value);
                    weights++;
                    elements += count;
                }
                assertTrue(weights > 50, file.getFileName() + ": only " + weights + " float weights found");
                assertFalse(block.onnxParameters().isEmpty());
                long trainable = block.onnxParameters().values().stream()
                        .filter(Parameter::requiresGradient)
                        .mapToLong(p -> p.getArray().size())
                        .sum();
                assertTrue(
                        trainable > 0 && trainable <= elements, "trainable elements " + trainable + " of " + elements);
            }
        }
    }
}
