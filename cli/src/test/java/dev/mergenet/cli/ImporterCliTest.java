package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.GraphProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inspect, verify and conformance from the command line: results, and one clear line per user error. */
class ImporterCliTest {
    @TempDir
    Path dir;

    private static void assertOneLineError(CliRun r, String... fragments) {
        assertEquals(1, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: ") && !err.contains("\n"), "expected one error line, got: " + r.err());
        assertTrue(!err.contains("Exception") || err.contains("error: "), err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' missing from: " + err);
        }
    }

    @Test
    void badFilesGiveOneLineNamingTheFile() throws IOException {
        byte[] junk = new byte[2048];
        new Random(3).nextBytes(junk);
        Path random = dir.resolve("random.onnx");
        Files.write(random, junk);
        assertOneLineError(CliRun.of("verify", random.toString()), "random.onnx");
        assertOneLineError(CliRun.of("inspect", dir.resolve("absent.onnx").toString()), "absent.onnx", "no such file");
        byte[] model = Files.readAllBytes(TestData.ocrClassifier());
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, java.util.Arrays.copyOf(model, model.length / 3));
        assertOneLineError(CliRun.of("verify", truncated.toString()), "truncated.onnx");
    }

    @Test
    void unsupportedOpsAreNamedInOneLine() throws IOException {
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addNode(Models.node("NoSuchOp", new String[] {"x"}, new String[] {"y"}).toBuilder().setName("mystery").build())
                .addInput(Models.value("x", 1, 2)).addOutput(Models.value("y", 1)).build();
        Path p = dir.resolve("unsupported.onnx");
        Files.write(p, Models.model(g, 13).toByteArray());
        assertOneLineError(CliRun.of("verify", p.toString()), "unsupported.onnx", "NoSuchOp", "'mystery'");
        CliRun inspect = CliRun.of("inspect", p.toString());
        assertEquals(0, inspect.code());
        assertTrue(inspect.out().contains("NoSuchOp has no converter (1 node: 'mystery')"), inspect.out());
    }

    @Test
    void conformancePrintsTheSummaryLineLast() throws IOException {
        Path report = dir.resolve("report.tsv");
        CliRun r = CliRun.of("conformance", TestData.onnxCase("node", "test_identity").toString(),
                "--report", report.toString());
        String[] lines = r.out().strip().split("\n");
        assertEquals("1 passed, 0 failed, 0 skipped", lines[lines.length - 1]);
        assertEquals(0, r.code());
        assertTrue(Files.readString(report).contains("test_identity\tpassed"));
        assertOneLineError(CliRun.of("conformance", dir.resolve("nowhere").toString()), "nowhere");
    }

    @Test
    void verifyComparesWithOnnxRuntimeAndReferenceOutputs() {
        Path c = TestData.onnxCase("node", "test_identity");
        CliRun r = CliRun.of("verify", c.resolve("model.onnx").toString(), "--data", c.resolve("test_data_set_0").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("onnxruntime") && r.out().contains("output_0.pb") && r.out().contains("verified"), r.out());
    }

    @Test
    void inspectShowsEveryFloatWeightOfPaddleOcrAsTrainable() throws IOException {
        for (Path model : new Path[] {TestData.ocrClassifier(), TestData.ocrDetector(), TestData.ocrRecognizer()}) {
            var proto = dev.mergenet.importers.onnx.OnnxModelReader.read(model).proto();
            // Resize scales are settings, not weights: the importer keeps them frozen
            java.util.Set<String> scales = new java.util.HashSet<>();
            proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Resize"))
                    .forEach(n -> n.getInputList().subList(1, n.getInputCount()).forEach(scales::add));
            long weights = proto.getGraph().getNodeList().stream()
                    .filter(n -> n.getOpType().equals("Constant") && n.getAttribute(0).hasT()
                            && !scales.contains(n.getOutput(0)))
                    .map(n -> n.getAttribute(0).getT())
                    .filter(t -> dev.mergenet.importers.onnx.OnnxDataTypes.isFloat(t.getDataType())
                            && t.getDimsList().stream().reduce(1L, (a, b) -> a * b) > 1)
                    .count();
            CliRun r = CliRun.of("inspect", model.toString(), "--parameters");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("hoisted constants: " + weights + " float Constant node(s) became trainable"),
                    model + ": " + weights + " weights expected in: " + r.out());
            long listedTrainable = r.out().lines().filter(l -> l.endsWith(" trainable (hoisted Constant)")).count();
            long listedStats = r.out().lines().filter(l -> l.endsWith(" running-statistic (hoisted Constant)")).count();
            assertEquals(weights, listedTrainable + listedStats, model.toString());
            assertTrue(listedTrainable > 0 && r.out().contains("unsupported: none"), r.out());
        }
    }
}
