package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.app.demo.FashionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `transfer` with neither --mode nor --init runs the default recipe and says which and why; an explicit --mode or
 * --init is obeyed as given; --teacher random distils from the re-initialized source and is refused where nothing
 * distils; --teacher-weights weighs repeated --source teachers; --kd-warmup ramps the distillation term.
 */
class DefaultRecipeCliTest {
    static final Path FASHION = InitAndKdLossCliTest.FASHION;

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

    private static CliRun transfer(String source, String target, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "transfer",
                "--source",
                source,
                "--source-channels",
                "3",
                "--target",
                target,
                "--data",
                "fashion-mnist:" + FASHION,
                "--train-limit",
                "256",
                "--eval-limit",
                "256",
                "--epochs",
                "1",
                "--device",
                "cpu"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void theDefaultSelectsForASameFamilyPairAndOnlyDistilsOtherwise(@TempDir Path dir) {
        assertTrue(Files.isDirectory(FASHION), FASHION + " is missing: run scripts/test-data.sh");
        CliRun same = transfer(file("source"), file("target"));
        assertEquals(0, same.code(), same.out() + same.err());
        long layers = OnnxModelReader.read(Path.of(file("target"))).proto().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv") || n.getOpType().equals("Gemm"))
                .count();
        assertTrue(
                same.err()
                        .contains(
                                "default: kd (hinton, alpha 0.5) + init selection: the source's layers map onto the target's ("
                                        + layers + " of " + layers + " weight layers, see mergenet layers)"),
                same.err());
        assertTrue(same.err().contains("init: selection from"), same.err());

        // P2's pair: the CNN target from a ResNet source of another family
        Path cnn = FashionModels.write(FashionModels.targetCnn(4), "cnn", 3, dir.resolve("cnn.onnx"), false);
        Path resnet =
                FashionModels.write(FashionModels.sourceResNet(8), "resnet", 4, dir.resolve("resnet.onnx"), false);
        CliRun other = CliRun.of(
                "transfer",
                "--source",
                resnet.toString(),
                "--target",
                cnn.toString(),
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
        assertEquals(0, other.code(), other.out() + other.err());
        assertTrue(
                other.err()
                        .contains(
                                "default: kd (hinton, alpha 0.9), init target: no layer map (first unmatched: stage 2"),
                other.err());
        assertFalse(other.err().contains("init: selection"), other.err());

        // --kd-loss given: the default keeps its choice of init and uses that loss
        CliRun dkd = transfer(file("source"), file("target"), "--kd-loss", "dkd");
        assertEquals(0, dkd.code(), dkd.out() + dkd.err());
        assertTrue(dkd.err().contains("default: kd (dkd, alpha 0.5) + init selection: "), dkd.err());
    }

    @Test
    void anExplicitModeOrInitIsObeyedAsGiven() {
        CliRun kd = transfer(file("source"), file("target"), "--mode", "kd");
        assertEquals(0, kd.code(), kd.out() + kd.err());
        assertFalse(kd.err().contains("default:"), kd.err());
        assertFalse(kd.err().contains("init: "), "--mode kd keeps the target's own weights: " + kd.err());

        CliRun init = transfer(file("source"), file("target"), "--init", "selection-permuted");
        assertEquals(0, init.code(), init.out() + init.err());
        assertFalse(init.err().contains("default:"), init.err());
        assertTrue(init.err().contains("init: selection-permuted from"), init.err());
    }

    @Test
    void aRandomTeacherIsTheSourceReinitializedAndOnlyForDistillingModes() {
        CliRun random = transfer(file("source"), file("target"), "--mode", "kd", "--teacher", "random");
        assertEquals(0, random.code(), random.out() + random.err());
        assertTrue(
                random.err().contains("teacher: random (") && random.err().contains("re-initialized as a fresh model"),
                random.err());

        CliRun alone = transfer(file("source"), file("target"), "--mode", "alone", "--teacher", "random");
        assertEquals(1, alone.code());
        assertTrue(alone.err().startsWith("error: --teacher random is the control of distillation"), alone.err());
        assertEquals(1, alone.err().strip().lines().count(), alone.err());

        CliRun bad = transfer(file("source"), file("target"), "--mode", "kd", "--teacher", "untrained");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--teacher untrained: expected trained or random"), bad.err());
    }

    @Test
    void teacherWeightsWeighRepeatedSourcesAndAreChecked() {
        String narrow =
                LayersCommandTest.DIR.resolve("narrow").resolve("source.onnx").toString();
        CliRun two = transfer(
                file("source"), file("target"), "--mode", "kd", "--source", narrow, "--teacher-weights", "7,3");
        assertEquals(0, two.code(), two.out() + two.err());
        assertTrue(
                two.err().contains("teachers: weighted mean of the logits, ")
                        && two.err().contains("source.onnx 0.7000")
                        && two.err().contains("source.onnx 0.3000"),
                two.err());

        CliRun count = transfer(
                file("source"), file("target"), "--mode", "kd", "--source", narrow, "--teacher-weights", "1,2,3");
        assertEquals(1, count.code());
        assertTrue(
                count.err().startsWith("error: --teacher-weights 1.0,2.0,3.0: 3 weights for 2 teachers"), count.err());
        CliRun negative = transfer(
                file("source"), file("target"), "--mode", "kd", "--source", narrow, "--teacher-weights", "1,-2");
        assertEquals(1, negative.code());
        assertTrue(
                negative.err().startsWith("error: --teacher-weights 1.0,-2.0: the weight of teacher 2 (")
                        && negative.err().contains("must be a positive number"),
                negative.err());
        assertEquals(1, negative.err().strip().lines().count(), negative.err());
    }

    @Test
    void kdWarmupIsLogged() {
        CliRun r = transfer(file("source"), file("target"), "--mode", "kd", "--kd-warmup", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        // 256 samples in batches of 128: 2 steps per epoch, 4 steps of warm-up
        assertTrue(
                r.err()
                        .contains("kd warm-up: the distillation term's weight ramps linearly from 0 to 1 over 2 epochs"
                                + " (4 steps)"),
                r.err());
        CliRun bad = transfer(file("source"), file("target"), "--mode", "kd", "--kd-warmup", "-1");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--kd-warmup -1.0: expected a number of epochs >= 0"), bad.err());
    }
}
