package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.app.demo.FashionModels;
import dev.mergenet.transfer.selection.HostTensor;
import dev.mergenet.transfer.selection.SourceWeights;
import dev.mergenet.transfer.selection.WeightSelection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `transfer --init selection` starts from the selected weights (a run with a learning rate too small to move a
 * weight exports them unchanged), a pair without correspondence is one error line, and `--kd-loss` runs each loss
 * in kd mode, from one teacher or the mean of several (whose class counts must agree).
 */
class InitAndKdLossCliTest {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @BeforeAll
    static void generate() throws Exception {
        LayersCommandTest.generate();
    }

    private static String file(String which) {
        return LayersCommandTest.DIR
                .resolve("full-gray")
                .resolve(which + ".onnx")
                .toString();
    }

    @Test
    void initSelectionTrainsFromTheSelectedWeights(@TempDir Path dir) {
        assertTrue(Files.isDirectory(FASHION), FASHION + " is missing: run scripts/test-data.sh");
        Path out = dir.resolve("t.onnx");
        CliRun r = CliRun.of(
                "transfer",
                "--mode",
                "alone",
                "--init",
                "selection",
                "--source",
                file("source"),
                "--target",
                file("target"),
                "--data",
                "fashion-mnist:" + FASHION,
                "--train-limit",
                "256",
                "--eval-limit",
                "256",
                "--epochs",
                "1",
                "--lr",
                "1e-30",
                "--device",
                "cpu",
                "--keep",
                "last",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("init: selection from"), r.err());
        WeightSelection.Selection sel = WeightSelection.select(
                OnnxModelReader.read(Path.of(file("source"))), OnnxModelReader.read(Path.of(file("target"))));
        Map<String, HostTensor> trained = SourceWeights.read(OnnxModelReader.read(out));
        int compared = 0;
        for (Map.Entry<String, HostTensor> e : sel.tensors().entrySet()) {
            if (e.getKey().endsWith(".weight") && e.getValue().rank() > 1) {
                assertArrayEquals(e.getValue().values(), trained.get(e.getKey()).values(), 0f, e.getKey());
                compared++;
            }
        }
        assertEquals(10, compared, "every conv and linear weight");

        CliRun bad = CliRun.of(
                "transfer",
                "--mode",
                "alone",
                "--init",
                "selected",
                "--source",
                file("source"),
                "--target",
                file("target"),
                "--data",
                "fashion-mnist:" + FASHION,
                "--epochs",
                "1",
                "--device",
                "cpu");
        assertEquals(1, bad.code());
        assertTrue(
                bad.err()
                        .contains("--init must be target, selection, selection-permuted, selection-reinit,"
                                + " compactors or compactors-permuted"),
                bad.err());
        CliRun mismatch = CliRun.of(
                "transfer",
                "--mode",
                "alone",
                "--init",
                "selection",
                "--source",
                LayersCommandTest.DIR.resolve("mismatch").resolve("target.onnx").toString(),
                "--target",
                file("target"),
                "--data",
                "fashion-mnist:" + FASHION,
                "--train-limit",
                "256",
                "--epochs",
                "1",
                "--device",
                "cpu");
        assertEquals(1, mismatch.code());
        assertTrue(mismatch.err().startsWith("error: no layer correspondence between target"), mismatch.err());
        assertEquals(1, mismatch.err().strip().lines().count(), mismatch.err());
    }

    @Test
    void initCompactorsTrainsMergesAndExportsAVerifiedModel(@TempDir Path dir) {
        assertTrue(Files.isDirectory(FASHION), FASHION + " is missing: run scripts/test-data.sh");
        // a same-family pair: the P2 source ResNet at width 8 and the same topology at width 4
        Path source = FashionModels.write(FashionModels.sourceResNet(8), "resnet8", 11, dir.resolve("s.onnx"), true);
        Path target = FashionModels.write(FashionModels.sourceResNet(4), "resnet4", 12, dir.resolve("t.onnx"), true);
        Path out = dir.resolve("out.onnx");
        CliRun r = CliRun.of(
                "transfer",
                "--mode",
                "alone",
                "--init",
                "compactors",
                "--compact-until",
                "0.5",
                "--source",
                source.toString(),
                "--target",
                target.toString(),
                "--data",
                "fashion-mnist:" + FASHION,
                "--train-limit",
                "256",
                "--eval-limit",
                "256",
                "--epochs",
                "2",
                "--device",
                "cpu",
                "--keep",
                "last",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("compactors: 9 kernels generated from"), r.err());
        assertTrue(r.err().contains("excluded: none"), r.err());
        CliRun verify = CliRun.of("verify", out.toString());
        assertEquals(0, verify.code(), verify.out() + verify.err());
        // trained: the merged kernels moved away from the selected ones
        WeightSelection.Selection sel =
                WeightSelection.select(OnnxModelReader.read(source), OnnxModelReader.read(target));
        Map<String, HostTensor> trained = SourceWeights.read(OnnxModelReader.read(out));
        for (Map.Entry<String, HostTensor> e : sel.tensors().entrySet()) {
            if (e.getKey().endsWith(".weight") && e.getValue().rank() > 1) {
                assertTrue(
                        !java.util.Arrays.equals(
                                e.getValue().values(), trained.get(e.getKey()).values()),
                        e.getKey());
            }
        }

        CliRun control = CliRun.of(
                "transfer",
                "--mode",
                "kd",
                "--init",
                "compactors-permuted",
                "--source",
                source.toString(),
                "--target",
                target.toString(),
                "--data",
                "fashion-mnist:" + FASHION,
                "--train-limit",
                "128",
                "--eval-limit",
                "128",
                "--epochs",
                "1",
                "--device",
                "cpu");
        assertEquals(0, control.code(), control.out() + control.err());
        assertTrue(control.err().contains("with each kernel's elements permuted"), control.err());

        CliRun mergenet = CliRun.of(
                "transfer",
                "--mode",
                "mergenet",
                "--init",
                "compactors",
                "--source",
                source.toString(),
                "--target",
                target.toString(),
                "--data",
                "fashion-mnist:" + FASHION,
                "--train-limit",
                "128",
                "--epochs",
                "1",
                "--device",
                "cpu");
        assertEquals(1, mergenet.code());
        assertTrue(
                mergenet.err().startsWith("error: --init compactors generates the target's kernels"), mergenet.err());
        assertEquals(1, mergenet.err().strip().lines().count(), mergenet.err());
    }

    @Test
    void everyKdLossRunsInKdModeWithOneOrSeveralTeachers() {
        for (String loss : new String[] {"dkd", "zscore", "dist"}) {
            CliRun r = CliRun.of(
                    "transfer",
                    "--mode",
                    "kd",
                    "--kd-loss",
                    loss,
                    "--source",
                    file("source"),
                    "--source-channels",
                    "3",
                    "--target",
                    file("target"),
                    "--data",
                    "fashion-mnist:" + FASHION,
                    "--train-limit",
                    "256",
                    "--eval-limit",
                    "256",
                    "--epochs",
                    "1",
                    "--device",
                    "cpu");
            assertEquals(0, r.code(), loss + ": " + r.out() + r.err());
        }
        CliRun two = CliRun.of(
                "transfer",
                "--mode",
                "kd",
                "--kd-loss",
                "dkd",
                "--source",
                file("source"),
                "--source",
                LayersCommandTest.DIR.resolve("narrow").resolve("source.onnx").toString(),
                "--source-channels",
                "3",
                "--target",
                file("target"),
                "--data",
                "fashion-mnist:" + FASHION,
                "--train-limit",
                "256",
                "--eval-limit",
                "256",
                "--epochs",
                "1",
                "--device",
                "cpu");
        assertEquals(0, two.code(), "two teachers: " + two.out() + two.err());
        CliRun classes = CliRun.of(
                "transfer",
                "--mode",
                "kd",
                "--source",
                file("source"),
                "--source",
                LayersCommandTest.DIR
                        .resolve("mismatch")
                        .resolve("five-classes.onnx")
                        .toString(),
                "--source-channels",
                "3",
                "--target",
                file("target"),
                "--data",
                "fashion-mnist:" + FASHION,
                "--train-limit",
                "256",
                "--eval-limit",
                "256",
                "--epochs",
                "1",
                "--device",
                "cpu");
        assertEquals(1, classes.code());
        assertTrue(
                classes.err().contains("the teachers' class counts differ:")
                        && classes.err().contains("five-classes.onnx 5"),
                classes.err());
        CliRun bad = CliRun.of(
                "transfer",
                "--mode",
                "kd",
                "--kd-loss",
                "fitnet",
                "--source",
                file("source"),
                "--target",
                file("target"),
                "--data",
                "fashion-mnist:" + FASHION,
                "--epochs",
                "1");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--kd-loss must be one of hinton, dkd, zscore, dist"), bad.err());
    }
}
