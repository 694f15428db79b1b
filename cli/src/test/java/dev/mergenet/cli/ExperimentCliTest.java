package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.testing.TestData;
import dev.mergenet.sweep.TrialRecord;
import dev.mergenet.sweep.TrialRow;
import dev.mergenet.transfer.app.demo.FashionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `experiment` on a pair the user brings, with a learning-rate grid: one configuration diverges and shows as
 * failed rows (one attempt each, although Spark may retry a task 3 times here), selection on validation picks
 * the other, and a second identical run and --rebuild reuse every trial.
 */
class ExperimentCliTest {
    @TempDir
    Path dir;

    @Test
    void userPairGridSelectsOnValidationAndReportsTheDivergedConfigurationOnce() throws Exception {
        Path t = FashionModels.write(FashionModels.targetCnn(4), "t", 3, dir.resolve("t.onnx"), false);
        Path s = FashionModels.write(FashionModels.sourceMlp(), "s", 4, dir.resolve("s.onnx"), false);
        Path out = dir.resolve("sweep");
        String[] args = {
            "experiment",
            "--target",
            t.toString(),
            "--source",
            s.toString(),
            "--data",
            "fashion-mnist:" + TestData.require(TestData.FASHION_MNIST),
            "--arms",
            "alone,kd",
            "--seeds",
            "1",
            "--epochs",
            "1",
            "--train-limit",
            "200",
            "--eval-limit",
            "100",
            "--batch-size",
            "50",
            "--grid",
            "lr=0.05,1e7",
            "--device",
            "cpu",
            "--master",
            "local[1,3]",
            "--threads-per-trial",
            "1",
            "--out",
            out.toString()
        };
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("4 trials run, 0 reused"), r.out());
        String[] printed = r.out().strip().split("\n");
        assertTrue(printed[printed.length - 1].startsWith("verdict: "), "the output ends with the verdict: " + r.out());
        String table = Files.readString(out.resolve("results.md"));
        assertTrue(table.contains("| alone | lr=0.05 (2) | 1 |") && table.contains("| kd | lr=0.05 (2) | 1 |"), table);
        assertTrue(
                table.contains("Failed trials:") && table.contains("kd_s0_g") && table.contains("(lr=1e7): "), table);
        try (var trials = Files.list(out.resolve("trials"))) {
            for (Path trial : trials.toList()) {
                List<String> log = Files.readAllLines(trial.resolve("trial.log"));
                assertEquals(
                        1, log.stream().filter(l -> l.contains(": attempt ")).count(), trial + ": " + log);
                TrialRow row = TrialRecord.read(trial.resolve("trial.json")).row();
                assertTrue(row.failed() || (row.testSamples() > 0 && row.classes() > 0), trial + ": " + row);
            }
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("lr=1e7") && html.contains("diff-chart"), "the page lists the failed trials");

        CliRun again = CliRun.of(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("0 trials run, 4 reused"), again.out());
        assertEquals(table, Files.readString(out.resolve("results.md")));

        CliRun rebuilt = CliRun.of("experiment", "--rebuild", "--out", out.toString());
        assertEquals(0, rebuilt.code(), rebuilt.err());
        assertTrue(rebuilt.out().contains("rebuilt from 4 trial records (0 missing)"), rebuilt.out());
    }
}
