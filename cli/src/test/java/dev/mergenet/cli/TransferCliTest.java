package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer pair from the command line: the frozen PP-OCRv4 recognizer feeds the re-headed direction
 * classifier for an epoch of Fashion-MNIST (a small fixed subset), the export passes verify against ONNX Runtime;
 * and bad input gives one clear line without writing anything.
 */
class TransferCliTest {
    @TempDir
    Path dir;

    private List<String> ocrTransfer(String data, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "transfer",
                "--source",
                TestData.ocrRecognizer().toString(),
                "--target",
                TestData.ocrClassifier().toString(),
                "--mode",
                "mergenet",
                "--frozen-source",
                "--rank",
                "16",
                "--num-classes",
                "10",
                "--resize",
                "48x192",
                "--channels",
                "3",
                "--mean",
                "0.5",
                "--std",
                "0.5",
                "--data",
                data,
                "--train-limit",
                "64",
                "--eval-limit",
                "32",
                "--batch-size",
                "32",
                "--epochs",
                "1",
                "--seed",
                "0",
                "--device",
                "cpu",
                "--out",
                dir.resolve("cls10.onnx").toString()));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void frozenRecognizerToRecheadedClassifierExportsAModelThatVerifies() throws Exception {
        Path report = dir.resolve("run.json");
        Path plot = dir.resolve("run.png");
        CliRun r = CliRun.of(ocrTransfer(
                        "fashion-mnist:" + TestData.require(TestData.FASHION_MNIST),
                        "--report",
                        report.toString(),
                        "--plot",
                        plot.toString())
                .toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("pairs auto:"), r.err());
        assertTrue(
                r.err().contains("pairs auto: why: target Conv 'p2o.Conv.52' is a pointwise")
                        && r.err().contains("source MatMul 'p2o.MatMul.24' is a Gemm/MatMul weight"),
                r.err());
        String json = Files.readString(report);
        for (String key : List.of("targetTrainLoss", "targetValAccuracy", "adapterGradNorm", "secondsAdapter")) {
            assertTrue(json.contains(key), key + " missing from the report");
        }
        assertTrue(Files.size(plot) > 1000);
        // the export declares the trained input size (48x192); only the batch stays symbolic
        CliRun v = CliRun.of("verify", dir.resolve("cls10.onnx").toString(), "--dim", "p2o.DynamicDimension.0=2");
        assertEquals(0, v.code(), v.out() + v.err());
    }

    @Test
    void missingDataFolderAndUnknownPairNameGiveOneLineAndWriteNothing() {
        CliRun noData =
                CliRun.of(ocrTransfer("fashion-mnist:" + dir.resolve("nope")).toArray(String[]::new));
        assertEquals(1, noData.code(), noData.err());
        String last = noData.err().strip().substring(noData.err().strip().lastIndexOf('\n') + 1);
        assertTrue(last.startsWith("error: ") && last.contains("nope") && last.contains("does not exist"), last);

        CliRun badPair = CliRun.of(ocrTransfer(
                        "fashion-mnist:" + TestData.require(TestData.FASHION_MNIST),
                        "--pair",
                        "conv2d_52.w_1=linear_85.w_0")
                .toArray(String[]::new));
        assertEquals(1, badPair.code(), badPair.err());
        assertTrue(
                badPair.err().contains("conv2d_52.w_1") && badPair.err().contains("conv2d_52.w_0"),
                "the error lists the closest names: " + badPair.err());
        assertFalse(Files.exists(dir.resolve("cls10.onnx")));
    }
}
