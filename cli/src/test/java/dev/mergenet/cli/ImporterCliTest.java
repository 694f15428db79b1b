package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx;
import dev.mergenet.onnx.Onnx.GraphProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
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
        Files.write(truncated, Arrays.copyOf(model, model.length / 3));
        assertOneLineError(CliRun.of("verify", truncated.toString()), "truncated.onnx");
    }

    @Test
    void unsupportedOpsAreNamedInOneLine() throws IOException {
        GraphProto g = GraphProto.newBuilder()
                .setName("g")
                .addNode(Models.node("NoSuchOp", new String[] {"x"}, new String[] {"y"}).toBuilder()
                        .setName("mystery")
                        .build())
                .addInput(Models.value("x", 1, 2))
                .addOutput(Models.value("y", 1))
                .build();
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
        CliRun r = CliRun.of(
                "conformance", TestData.onnxCase("node", "test_identity").toString(), "--report", report.toString());
        String[] lines = r.out().strip().split("\n");
        assertEquals("1 passed, 0 failed, 0 skipped", lines[lines.length - 1]);
        assertEquals(0, r.code());
        assertTrue(Files.readString(report).contains("test_identity\tpassed"));
        assertOneLineError(CliRun.of("conformance", dir.resolve("nowhere").toString()), "nowhere");
    }

    @Test
    void verifyComparesWithOnnxRuntimeAndReferenceOutputs() {
        Path c = TestData.onnxCase("node", "test_identity");
        CliRun r = CliRun.of(
                "verify",
                c.resolve("model.onnx").toString(),
                "--data",
                c.resolve("test_data_set_0").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(
                r.out().contains("onnxruntime")
                        && r.out().contains("output_0.pb")
                        && r.out().contains("verified"),
                r.out());
    }

    @Test
    void inspectShowsEveryFloatWeightOfPaddleOcrAsTrainable() throws IOException {
        for (Path model : new Path[] {TestData.ocrClassifier(), TestData.ocrDetector(), TestData.ocrRecognizer()}) {
            var proto = OnnxModelReader.read(model).proto();
            // Resize scales are settings, not weights: the importer keeps them frozen
            Set<String> scales = new HashSet<>();
            proto.getGraph().getNodeList().stream()
                    .filter(n -> n.getOpType().equals("Resize"))
                    .forEach(n -> n.getInputList().subList(1, n.getInputCount()).forEach(scales::add));
            long weights = proto.getGraph().getNodeList().stream()
                    .filter(n -> n.getOpType().equals("Constant")
                            && n.getAttribute(0).hasT()
                            && !scales.contains(n.getOutput(0)))
                    .map(n -> n.getAttribute(0).getT())
                    .filter(t -> OnnxDataTypes.isFloat(t.getDataType())
                            && t.getDimsList().stream().reduce(1L, (a, b) -> a * b) > 1)
                    .count();
            CliRun r = CliRun.of("inspect", model.toString(), "--parameters");
            assertEquals(0, r.code(), r.err());
            assertTrue(
                    r.out().contains("hoisted constants: " + weights + " float Constant node(s) became trainable"),
                    model + ": " + weights + " weights expected in: " + r.out());
            long listedTrainable = r.out()
                    .lines()
                    .filter(l -> l.contains(" trainable (hoisted Constant) <- "))
                    .count();
            long listedStats = r.out()
                    .lines()
                    .filter(l -> l.contains(" running-statistic (hoisted Constant) <- "))
                    .count();
            assertEquals(weights, listedTrainable + listedStats, model.toString());
            assertTrue(listedTrainable > 0 && r.out().contains("unsupported: none"), r.out());
        }
    }

    /** A PyTorch-style eval export: BatchNorm inputs shared by value through Identity nodes, and a training Dropout. */
    private Path valueMergedModel() throws IOException {
        GraphProto g = GraphProto.newBuilder()
                .setName("merged")
                .addInput(Models.value("x", 1, 2, 3))
                .addOutput(Models.value("y", 1, 2, 4))
                .addInitializer(Models.floats("W", new long[] {3, 4}, new float[12]))
                .addInitializer(Models.floats("ones", new long[] {4}, 1, 1, 1, 1))
                .addInitializer(Models.floats("zeros", new long[] {4}, 0, 0, 0, 0))
                .addInitializer(Onnx.TensorProto.newBuilder()
                        .setName("train_mode")
                        .setDataType(Onnx.TensorProto.DataType.BOOL_VALUE)
                        .addInt32Data(1)
                        .build())
                .addNode(named(Models.node("Identity", new String[] {"zeros"}, new String[] {"bn.running_mean"}), "i1"))
                .addNode(named(Models.node("Identity", new String[] {"ones"}, new String[] {"bn.running_var"}), "i2"))
                .addNode(named(Models.node("Identity", new String[] {"ones"}, new String[] {"bn2.weight"}), "i3"))
                .addNode(named(Models.node("Gemm", new String[] {"x", "W"}, new String[] {"h"}), "fc"))
                .addNode(named(
                        Models.node(
                                "BatchNormalization",
                                new String[] {"h", "ones", "zeros", "bn.running_mean", "bn.running_var"},
                                new String[] {"n"}),
                        "bn"))
                .addNode(named(Models.node("Mul", new String[] {"n", "bn2.weight"}, new String[] {"m"}), "scale"))
                .addNode(
                        named(Models.node("Dropout", new String[] {"m", "", "train_mode"}, new String[] {"y"}), "drop"))
                .build();
        Path p = dir.resolve("merged.onnx");
        Files.write(p, Models.model(g, 15).toByteArray());
        return p;
    }

    private static Onnx.NodeProto named(Onnx.NodeProto n, String name) {
        return n.toBuilder().setName(name).build();
    }

    @Test
    void inspectReportsValueMergedInitializersSplitsTrainingModeAndReaders() throws IOException {
        Path model = valueMergedModel();
        CliRun r = CliRun.of("inspect", model.toString(), "--parameters");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(
                out.contains("warning: 1 node(s) exported in training mode:\n  Dropout 'drop': training_mode input "
                        + "'train_mode' is true"),
                out);
        assertTrue(out.contains("value-merged initializers: 2 "), out);
        assertTrue(out.contains("  ones also as 2: bn.running_var, bn2.weight"), out);
        assertTrue(out.contains("split on import: 3 tensor(s) made independent:"), out);
        assertTrue(out.contains("  bn.running_var (running statistic, read by bn): Identity alias of 'ones'"), out);
        assertTrue(out.contains("  bn2.weight (parameter, read by scale): Identity alias of 'ones'"), out);
        assertTrue(out.contains("running statistics"), out);
        assertTrue(out.contains("  W float32(3, 4) trainable <- fc\n"), out);
        assertTrue(out.contains("  ones float32(4) trainable <- bn\n"), out);
        assertTrue(out.contains("  bn.running_mean float32(4) running-statistic <- bn\n"), out);
        assertTrue(out.contains("  bn2.weight float32(4) trainable <- scale\n"), out);

        CliRun tied = CliRun.of("inspect", model.toString(), "--parameters", "--keep-tied", "bn2.weight");
        assertEquals(0, tied.code(), tied.err());
        assertTrue(tied.out().contains("split on import: 2 tensor(s)"), tied.out());
        assertTrue(tied.out().contains("kept tied on request: bn2.weight"), tied.out());
        assertTrue(tied.out().contains("  ones float32(4) trainable <- i3, bn\n"), tied.out());
        assertOneLineError(
                CliRun.of("inspect", model.toString(), "--keep-tied", "bn2.weigth"),
                "merged.onnx",
                "--keep-tied",
                "bn2.weigth");
    }
}
