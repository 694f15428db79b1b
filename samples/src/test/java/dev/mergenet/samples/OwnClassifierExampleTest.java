package dev.mergenet.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.testing.TestData;
import dev.mergenet.transfer.app.demo.OrtAccuracy;
import dev.mergenet.transfer.data.IdxDataset;
import dev.mergenet.transfer.data.ImageFolderDataset;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.data.LabeledData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's own-classifier example as a user runs it: image folders of three Fashion-MNIST classes written as
 * PNGs, a 10-class CNN exported by PyTorch (so the re-head runs), and the exported model measured by ONNX Runtime
 * through the project's runner, not the example's code.
 */
class OwnClassifierExampleTest {
    /** Fashion-MNIST label -> folder name: T-shirt, Trouser, Bag. */
    private static final Map<Integer, String> CLASSES = Map.of(0, "a_tshirt", 1, "b_trouser", 8, "c_bag");

    @TempDir
    Path tmp;

    @Test
    void mainReheadsTrainsAndExportsAModelOnnxRuntimeScoresWellAboveChance() throws Exception {
        Path fashion = TestData.require(TestData.FASHION_MNIST);
        Path train = writeFolder(IdxDataset.load(fashion, true), tmp.resolve("train"), 200);
        Path test = writeFolder(IdxDataset.load(fashion, false), tmp.resolve("test"), 60);
        Path model = export(tmp.resolve("small_rgb_cnn.onnx"));
        Path out = tmp.resolve("own.onnx");

        String printed = runMain(model.toString(), train.toString(), test.toString(), out.toString(), "4");

        assertTrue(printed.contains("10 -> 3 classes"), printed);
        InputAdaptation fit = new InputAdaptation(new int[] {32, 32}, 3, new float[] {0.5f}, new float[] {0.25f});
        LabeledData testData = fit.apply(ImageFolderDataset.load(test, fit.resize()));
        assertEquals(180, testData.size());
        double accuracy = OrtAccuracy.accuracy(out, testData, 60);
        System.out.printf("OwnClassifierExample: ORT test accuracy %.3f on 3 classes%n", accuracy);
        assertTrue(accuracy > 0.75, "chance is 1/3; the exported model should reach 75%, got " + accuracy);
        assertTrue(printed.contains(String.format("%.1f%%", 100 * accuracy)), printed);
    }

    @Test
    void readmeShowsTheExampleAsItIs() throws Exception {
        String source = Files.readString(Path.of("src/main/java/dev/mergenet/samples/OwnClassifierExample.java"));
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(source.substring(source.indexOf("public final class"))), "README is out of date");
    }

    /** The first {@code perClass} images of each chosen class as grey PNGs in DIR/CLASS/. */
    private static Path writeFolder(LabeledData data, Path dir, int perClass) throws Exception {
        for (Map.Entry<Integer, String> c : CLASSES.entrySet()) {
            Path classDir = Files.createDirectories(dir.resolve(c.getValue()));
            int written = 0;
            for (int i = 0; i < data.size() && written < perClass; i++) {
                if (data.label(i) != c.getKey()) {
                    continue;
                }
                float[] x = data.sample(i);
                BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < 28 * 28; p++) {
                    img.getRaster().setSample(p % 28, p / 28, 0, Math.round(255 * x[p]));
                }
                ImageIO.write(
                        img,
                        "png",
                        classDir.resolve(String.format("%04d.png", written++)).toFile());
            }
        }
        return dir;
    }

    /** A randomly initialised 10-class CNN for 3x32x32 exported by PyTorch (the script sits in resources). */
    private static Path export(Path out) throws Exception {
        Path script = Path.of(OwnClassifierExampleTest.class
                .getResource("export_small_rgb_cnn.py")
                .toURI());
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), out.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python export timed out");
        assertEquals(0, p.exitValue(), log);
        return out;
    }

    private static synchronized String runMain(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            OwnClassifierExample.main(args);
        } finally {
            System.setOut(old);
        }
        String s = captured.toString(StandardCharsets.UTF_8);
        old.print(s);
        return s;
    }
}
