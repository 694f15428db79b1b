package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.selection.HostTensor;
import dev.mergenet.transfer.selection.SourceWeights;
import dev.mergenet.transfer.selection.WeightSelection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `mergenet layers` on the reference script's PyTorch exports: the map, the rules, what is not mapped, the error. */
class LayersCommandTest {
    static final Path DIR = Path.of("target", "weight-selection-reference");

    @BeforeAll
    static void generate() throws Exception {
        Files.createDirectories(DIR);
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        Path.of("..", "scripts", "weight_selection_reference.py")
                                .toString(),
                        DIR.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reference script timed out");
        assertEquals(0, p.exitValue(), "reference script failed:\n" + log);
    }

    private static String file(String c, String which) {
        return DIR.resolve(c).resolve(which + ".onnx").toString();
    }

    @Test
    void printsTheLayerMapTheIndexRulesAndWhatIsNotMapped() {
        CliRun r = CliRun.of("layers", "--source", file("gray", "source"), "--target", file("gray", "target"));
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        assertTrue(
                out.contains("stage 0: Conv 3x3 'conv1' [6, 1, 3, 3] +BN <- Conv 3x3 'conv1' [16, 3, 3, 3] +BN"), out);
        assertTrue(
                out.contains("stage 2: Conv 3x3 /2 'layer2.0.conv1' [12, 6, 3, 3] +BN <- Conv 3x3 /2"
                        + " 'layer2.0.conv1' [32, 16, 3, 3] +BN"),
                out);
        assertTrue(out.contains("32 -> 12: evenly spaced, round(i*31/11) (0, 3, 6, 8, 11, 14, 17, 20, ...)"), out);
        assertTrue(out.contains("stage 1: source layers 3..4 (from Conv 3x3 'layer1.1.conv1') unused"), out);
        assertTrue(out.contains("conv1: reads the graph input with 1 channel, the source with 3"), out);
        assertTrue(out.contains("fc.weight: the classifier: 5 classes against the source's 10"), out);
    }

    @Test
    void writesTheInitializedTargetAndRefusesToOverwriteAnInput(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("init.onnx");
        CliRun r = CliRun.of(
                "layers",
                "--source",
                file("narrow", "source"),
                "--target",
                file("narrow", "target"),
                "--init",
                "selection-permuted",
                "--seed",
                "4",
                "--output",
                out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(
                r.out().contains("Weight selection (selection-permuted)")
                        && r.out().contains("wrote " + out),
                r.out());
        Map<String, HostTensor> written = SourceWeights.read(OnnxModelReader.read(out));
        WeightSelection.Selection expected = WeightSelection.select(
                OnnxModelReader.read(Path.of(file("narrow", "source"))),
                OnnxModelReader.read(Path.of(file("narrow", "target"))),
                WeightSelection.Variant.PERMUTED,
                4);
        for (Map.Entry<String, HostTensor> e : expected.tensors().entrySet()) {
            assertArrayEquals(e.getValue().values(), written.get(e.getKey()).values(), 0f, e.getKey());
        }
        CliRun again = CliRun.of(
                "layers",
                "--source",
                file("narrow", "source"),
                "--target",
                file("narrow", "target"),
                "--output",
                file("narrow", "target"),
                "--force");
        assertEquals(1, again.code());
        assertTrue(again.err().startsWith("error: "), again.err());
        CliRun bad = CliRun.of(
                "layers",
                "--source",
                file("narrow", "source"),
                "--target",
                file("narrow", "target"),
                "--init",
                "random");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--init must be selection, selection-permuted or selection-reinit"), bad.err());
    }

    @Test
    void aPairWithoutCorrespondenceIsOneErrorLineNamingTheLayers() {
        CliRun r = CliRun.of("layers", "--source", file("narrow", "source"), "--target", file("mismatch", "target"));
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: no layer correspondence between target "), r.err());
        assertTrue(r.err().contains("target Conv 1x1 'body.4' against source Conv 3x3 'layer1.0.conv1'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
