package dev.mergenet.transfer.selection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Weight selection against an independent reference: scripts/weight_selection_reference.py builds a larger
 * torchvision-style ResNet and a smaller one in PyTorch, exports both to ONNX and selects the target's weights on
 * the PyTorch modules (by module name, the paper's rule). Our selection works on the ONNX graphs alone; every
 * selected tensor must equal PyTorch's bit for bit, and the tensors left unmapped must be the same.
 */
public class WeightSelectionReferenceTest {
    public static final Path DIR = Path.of("target", "weight-selection-reference");

    @BeforeAll
    public static void generate() throws Exception {
        Path script = Path.of("..", "scripts", "weight_selection_reference.py");
        if (Files.exists(DIR.resolve("mlp").resolve("scores.f32"))
                && Files.getLastModifiedTime(DIR.resolve("mlp").resolve("scores.f32"))
                                .compareTo(Files.getLastModifiedTime(script))
                        > 0) {
            return;
        }
        Files.createDirectories(DIR);
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), DIR.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reference script timed out");
        assertEquals(0, p.exitValue(), "reference script failed:\n" + log);
    }

    public static OnnxModel model(String c, String which) {
        return OnnxModelReader.read(DIR.resolve(c).resolve(which + ".onnx"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"narrow", "gray", "folded", "fused-target", "mobile"})
    void everySelectedTensorEqualsPyTorchsBitForBit(String c) throws Exception {
        WeightSelection.Selection sel = WeightSelection.select(model(c, "source"), model(c, "target"));
        JsonObject manifest =
                new Gson().fromJson(Files.readString(DIR.resolve(c).resolve("manifest.json")), JsonObject.class);
        JsonObject tensors = manifest.getAsJsonObject("tensors");
        assertEquals(
                new TreeSet<>(tensors.keySet()), new TreeSet<>(sel.tensors().keySet()), c + ": selected tensors");
        for (Map.Entry<String, JsonElement> e : tensors.entrySet()) {
            long[] shape = new Gson().fromJson(e.getValue(), long[].class);
            HostTensor ours = sel.tensors().get(e.getKey());
            assertArrayEquals(shape, ours.shape(), c + ": shape of " + e.getKey());
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(
                            DIR.resolve(c).resolve("expected").resolve(e.getKey() + ".f32")))
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] expected = new float[b.remaining() / 4];
            b.asFloatBuffer().get(expected);
            assertArrayEquals(expected, ours.values(), 0f, c + ": values of " + e.getKey());
        }
        Set<String> notMapped = new HashSet<>();
        for (JsonElement n : manifest.getAsJsonArray("not_mapped")) {
            notMapped.add(n.getAsString());
        }
        Set<String> oursNotMapped = new HashSet<>(sel.report().notMapped().keySet());
        oursNotMapped.removeIf(n -> n.endsWith("num_batches_tracked")); // int64 counters, never selected
        assertEquals(notMapped, oursNotMapped, c + ": not mapped");
    }

    @Test
    void theReportNamesLayersRulesAndWhatIsNotMapped() {
        String narrow = WeightSelection.select(model("narrow", "source"), model("narrow", "target"))
                .report()
                .text();
        assertTrue(narrow.contains("16 -> 4: every 4th index (0, 4, 8, 12)"), narrow);
        assertTrue(
                narrow.contains("stage 0: Conv 3x3 'conv1' [4, 3, 3, 3] +BN <- Conv 3x3 'conv1' [16, 3, 3, 3] +BN"),
                narrow);
        assertTrue(narrow.contains("unused: the target's stage is shallower, it takes the first 3"), narrow);
        String gray = WeightSelection.select(model("gray", "source"), model("gray", "target"))
                .report()
                .text();
        assertTrue(gray.contains("16 -> 6: evenly spaced, round(i*15/5) (0, 3, 6, 9, 12, 15)"), gray);
        assertTrue(gray.contains("fc.weight: the classifier: 5 classes against the source's 10"), gray);
        assertTrue(gray.contains("summed over the source's input channels"), gray);
        String folded = WeightSelection.select(model("folded", "source"), model("folded", "target"))
                .report()
                .text();
        assertTrue(folded.contains("beta = the selected folded bias, mean 0, var 1 - eps"), folded);
    }

    @Test
    void noCorrespondenceNamesTheFirstLayersThatDoNotMatch() {
        MergeNetException kernel = assertThrows(
                MergeNetException.class,
                () -> WeightSelection.select(model("narrow", "source"), model("mismatch", "target")));
        assertTrue(kernel.getMessage().contains("no layer correspondence between target"), kernel.getMessage());
        assertTrue(
                kernel.getMessage()
                        .contains("target Conv 1x1 'body.4' against source Conv 3x3 'layer1.0.conv1'"
                                + " (kernel [1, 1] against [3, 3])"),
                kernel.getMessage());
        MergeNetException deeper = assertThrows(
                MergeNetException.class,
                () -> WeightSelection.select(model("narrow", "target"), model("gray", "target")));
        assertTrue(
                deeper.getMessage().contains("the first without a partner: target Conv 3x3 'layer2.1.conv1'"),
                deeper.getMessage());
        MergeNetException wider = assertThrows(
                MergeNetException.class,
                () -> WeightSelection.select(model("narrow", "source"), model("mismatch", "wide")));
        assertTrue(wider.getMessage().contains("is larger than its source"), wider.getMessage());
    }

    @Test
    void thePermutedControlKeepsEachTensorsValuesAndNothingElse() {
        WeightSelection.Selection sel = WeightSelection.select(model("narrow", "source"), model("narrow", "target"));
        WeightSelection.Selection a = sel.permuted(3);
        WeightSelection.Selection b = WeightSelection.select(
                model("narrow", "source"), model("narrow", "target"), WeightSelection.Variant.PERMUTED, 3);
        int moved = 0;
        for (String name : sel.tensors().keySet()) {
            float[] orig = sel.tensors().get(name).values().clone();
            float[] perm = a.tensors().get(name).values().clone();
            assertArrayEquals(perm, b.tensors().get(name).values(), 0f, "same seed, same permutation: " + name);
            if (!Arrays.equals(orig, perm)) {
                moved++;
            }
            Arrays.sort(orig);
            Arrays.sort(perm);
            assertArrayEquals(orig, perm, 0f, "the same values: " + name);
        }
        assertTrue(
                moved > sel.tensors().size() / 2, moved + " of " + sel.tensors().size() + " tensors permuted");
        assertNotEquals(
                Arrays.toString(a.tensors().get("layer1.0.conv1.weight").values()),
                Arrays.toString(
                        sel.permuted(4).tensors().get("layer1.0.conv1.weight").values()));
    }

    @Test
    void theReinitializedControlSelectsFromPyTorchDefaults() {
        OnnxModel source = model("narrow", "source");
        WeightSelection.Selection sel =
                WeightSelection.select(source, model("narrow", "target"), WeightSelection.Variant.REINITIALIZED, 5);
        WeightSelection.Selection trained = WeightSelection.select(source, model("narrow", "target"));
        assertEquals(trained.tensors().keySet(), sel.tensors().keySet());
        float[] w = sel.tensors().get("layer2.0.conv1.weight").values(); // source fan_in 16*3*3
        double bound = 1 / Math.sqrt(16 * 9);
        double sq = 0;
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound, v + " outside U(+-" + bound + ")");
            sq += v * v;
        }
        assertEquals(bound / Math.sqrt(3), Math.sqrt(sq / w.length), 0.15 * bound, "rms of U(-b, b) is b/sqrt(3)");
        for (float v : sel.tensors().get("layer2.0.bn1.weight").values()) {
            assertEquals(1f, v);
        }
        for (float v : sel.tensors().get("layer2.0.bn1.running_var").values()) {
            assertEquals(1f, v);
        }
        assertNotEquals(
                Arrays.toString(trained.tensors().get("layer2.0.conv1.weight").values()), Arrays.toString(w));
    }
}
