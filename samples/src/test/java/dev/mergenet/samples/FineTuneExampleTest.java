package dev.mergenet.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.transfer.app.demo.OrtAccuracy;
import dev.mergenet.transfer.data.IdxDataset;
import dev.mergenet.transfer.data.LabeledData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java example as a user runs it: its main fine-tunes a CNN exported by PyTorch on 2,000 Fashion-MNIST
 * images and exports it; ONNX Runtime (through the importers' runner, not the example's code) then measures
 * both files on 500 test images.
 */
class FineTuneExampleTest {
    @TempDir
    Path tmp;

    @Test
    void mainFineTunesAPyTorchExportAndItsExportRunsInOnnxRuntime() throws Exception {
        Path fashion = TestData.require(TestData.FASHION_MNIST);
        Path model = exportSmallCnn(tmp.resolve("small_cnn.onnx"));
        Path out = tmp.resolve("small_cnn_fashion.onnx");

        String printed = runMain(model.toString(), fashion.toString(), out.toString(), "2000", "500", "2");

        LabeledData test = FineTuneExample.first(IdxDataset.load(fashion, false), 500);
        double before = OrtAccuracy.accuracy(model, test, 100);
        double after = OrtAccuracy.accuracy(out, test, 100);
        System.out.printf("FineTuneExample: %s ORT accuracy %.3f -> %.3f%n", printed.trim(), before, after);
        assertTrue(before < 0.3, "the untrained CNN should be near chance, got " + before);
        assertTrue(after > 0.6, "two epochs on 2,000 images should reach 60%, got " + after);
        assertTrue(printed.contains(String.format("%.1f%% -> %.1f%%", 100 * before, 100 * after)), printed);

        Lineage lineage = Provenance.lineage(OnnxModelReader.read(out).proto()).orElseThrow();
        assertEquals("train", lineage.operation());
        assertEquals(ModelHash.sha256(model), lineage.inputModelSha256());
        assertEquals("2000", lineage.settings().get("samples"));
    }

    /** A randomly initialised CNN exported by PyTorch (the script sits beside this test in resources). */
    private static Path exportSmallCnn(Path out) throws Exception {
        Path script = Path.of(
                FineTuneExampleTest.class.getResource("export_small_cnn.py").toURI());
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), out.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python export timed out");
        assertEquals(0, p.exitValue(), log);
        assertTrue(Files.isRegularFile(out), log);
        return out;
    }

    private static synchronized String runMain(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            FineTuneExample.main(args);
        } finally {
            System.setOut(old);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
