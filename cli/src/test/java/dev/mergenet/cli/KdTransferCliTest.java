package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.transfer.app.demo.FashionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distillation from a frozen source whose input differs from the target's (3×32×32 against Fashion-MNIST's
 * 1×28×28), with --compare-alone, the teacher's accuracy and the CSV log; and a diverging run that exports nothing.
 */
class KdTransferCliTest {
    @TempDir
    Path dir;

    private Path target;
    private Path source;

    @BeforeEach
    void models() {
        target = FashionModels.write(FashionModels.targetCnn(4), "t", 3, dir.resolve("t.onnx"), false);
        source = FashionModels.write(
                FashionModels.targetCnn(4), "s", 5, dir.resolve("s.onnx"), false, new Shape(1, 3, 32, 32));
    }

    private String[] transfer(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "transfer",
                "--mode",
                "kd",
                "--source",
                source.toString(),
                "--target",
                target.toString(),
                "--data",
                "fashion-mnist:" + TestData.require(TestData.FASHION_MNIST),
                "--train-limit",
                "256",
                "--eval-limit",
                "128",
                "--batch-size",
                "64",
                "--epochs",
                "2",
                "--seed",
                "1",
                "--device",
                "cpu",
                "--out",
                dir.resolve("out.onnx").toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void frozenTeacherWithItsOwnInputSizeDistilsAndComparesWithAlone() throws Exception {
        Path report = dir.resolve("run.json");
        CliRun r = CliRun.of(transfer(
                "--source-resize",
                "32x32",
                "--source-channels",
                "3",
                "--compare-alone",
                "--report",
                report.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("teacher (frozen, eval mode)"), r.err());
        assertTrue(r.out().contains("compared with alone (same seed, data and order): kd"), r.out());
        String json = Files.readString(report);
        assertTrue(
                json.contains("\"teacherAccuracy\"")
                        && json.contains("\"aloneTestAccuracy\"")
                        && json.contains("\"keptEpoch\""),
                json);
        List<String> csv = Files.readAllLines(dir.resolve("run.csv"));
        assertEquals(3, csv.size(), "header and one row per epoch");
        assertTrue(csv.get(0).startsWith("epoch,target_lr,train_loss"), csv.get(0));
        assertTrue(Files.exists(dir.resolve("out.onnx")));
    }

    @Test
    void aSourceThatCannotReadTheDataNamesTheSourceFlags() {
        CliRun r = CliRun.of(transfer());
        assertEquals(1, r.code(), r.err());
        String last = r.err().strip().substring(r.err().strip().lastIndexOf('\n') + 1);
        assertTrue(last.startsWith("error: ") && last.contains("--source-resize"), last);
        assertFalse(Files.exists(dir.resolve("out.onnx")));
    }

    @Test
    void aDivergingRunStopsAndExportsNothing() {
        CliRun r = CliRun.of(transfer("--source-resize", "32x32", "--source-channels", "3", "--lr", "1e6"));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("nothing exported"), r.err());
        assertFalse(Files.exists(dir.resolve("out.onnx")));
    }
}
