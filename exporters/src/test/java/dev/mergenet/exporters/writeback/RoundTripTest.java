package dev.mergenet.exporters.writeback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtException;
import dev.mergenet.exporters.OnnxExporter;
import dev.mergenet.exporters.TestModels;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export without training: every stored tensor of the exported file equals the input's (same TensorProto,
 * so the same bytes in the same storage form), and ONNX Runtime's outputs on both files are bit-identical.
 */
class RoundTripTest {
    private static NDManager manager;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static Stream<Arguments> pytorchCases() {
        return TestModels.pytorchConverted().stream()
                .map(p -> Arguments.of(p.getFileName().toString(), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pytorchCases")
    void pytorchConvertedCaseRoundTripsExactly(String name, Path caseDir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            roundTrip(caseDir.resolve("model.onnx"), TestModels.caseInputs(caseDir, m), m);
        }
    }

    @Test
    void ocrClassifierRoundTripsExactly() throws Exception {
        try (NDManager m = manager.newSubManager()) {
            roundTrip(TestData.ocrClassifier(), new NDList(m.randomUniform(0, 1, new Shape(2, 3, 48, 192))), m);
        }
    }

    @Test
    void ocrDetectorRoundTripsExactly() throws Exception {
        try (NDManager m = manager.newSubManager()) {
            roundTrip(TestData.ocrDetector(), new NDList(m.randomUniform(0, 1, new Shape(1, 3, 64, 96))), m);
        }
    }

    @Test
    void ocrRecognizerRoundTripsExactly() throws Exception {
        try (NDManager m = manager.newSubManager()) {
            roundTrip(TestData.ocrRecognizer(), new NDList(m.randomUniform(0, 1, new Shape(1, 3, 48, 160))), m);
        }
    }

    /**
     * Runs both files in ONNX Runtime and compares outputs byte for byte. Some old-opset cases have no ORT
     * kernel; then the exported file must fail to load with the very same error as the original.
     */
    private static String ortBitIdentical(Path original, Path exported, NDList inputs) throws Exception {
        List<OrtReference.Output> x;
        try (OrtReference a = new OrtReference(original)) {
            x = a.run(inputs);
        } catch (OrtException e) {
            OrtException e2 = Assertions.assertThrows(OrtException.class, () -> {
                try (OrtReference b = new OrtReference(exported)) {
                    b.run(inputs);
                }
            });
            assertEquals(e.getMessage(), e2.getMessage());
            return "ORT cannot run the original either (" + e.getMessage().replaceAll(".*message: ", "") + ")";
        }
        try (OrtReference b = new OrtReference(exported)) {
            List<OrtReference.Output> y = b.run(inputs);
            assertEquals(x.size(), y.size());
            for (int i = 0; i < x.size(); i++) {
                assertEquals(x.get(i).type(), y.get(i).type());
                assertEquals(x.get(i).bytes(), y.get(i).bytes(), "output " + i + " of " + exported + " differs");
            }
        }
        return "ORT outputs bit-identical";
    }

    private void roundTrip(Path file, NDList inputs, NDManager m) throws Exception {
        OnnxModel model = OnnxModelReader.read(file);
        String sha = ModelHash.sha256(file);
        // through the importer: a model it cannot import fails the test (no fallback that skips the import)
        try (OnnxGraphBlock block = OnnxImporter.load(model, m)) {
            roundTrip(file, model, sha, WeightWriteBack.apply(block), inputs);
        }
    }

    private void roundTrip(Path file, OnnxModel model, String sha, WeightWriteBack.Result wb, NDList inputs)
            throws Exception {
        assertTrue(wb.changed().isEmpty(), "an untouched round trip changed " + wb.changed());
        Path out = tmp.resolve("out.onnx");
        OnnxExporter.write(
                Provenance.stamp(wb.model(), Lineage.export(sha)), model, out, WriteOptions.defaults(), Precision.FP32);

        OnnxModel back = OnnxModelReader.read(out);
        Map<String, TensorProto> before = TestModels.storedTensors(model);
        Map<String, TensorProto> after = TestModels.storedTensors(back);
        assertEquals(before.keySet(), after.keySet());
        for (String k : before.keySet()) {
            assertEquals(before.get(k), after.get(k), "tensor " + k + " changed");
        }
        assertEquals(
                model.proto().getGraph().getNodeList(), back.proto().getGraph().getNodeList());
        assertEquals(model.proto().getOpsetImportList(), back.proto().getOpsetImportList());
        assertEquals(model.proto().getIrVersion(), back.proto().getIrVersion());
        assertEquals(sha, Provenance.lineage(back.proto()).orElseThrow().inputModelSha256());
        ModelProto withoutOurs = back.proto().toBuilder()
                .clearMetadataProps()
                .addAllMetadataProps(back.proto().getMetadataPropsList().stream()
                        .filter(e -> !e.getKey().startsWith("mergenet."))
                        .toList())
                .build();
        assertEquals(model.proto(), withoutOurs, "only our metadata entries may differ");

        String ort = ortBitIdentical(file, out, inputs);
        System.out.println(file.getParent().getFileName() + "/" + file.getFileName() + ": " + before.size()
                + " tensors identical, " + ort);
    }
}
