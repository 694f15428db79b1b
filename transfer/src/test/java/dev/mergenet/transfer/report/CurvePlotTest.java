package dev.mergenet.transfer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.transfer.training.EpochRecord;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run plot: a PNG of the documented size, titles that tell models apart, an accuracy axis that is not zoomed. */
class CurvePlotTest {
    @TempDir
    Path dir;

    static List<EpochRecord> mergenetRun() {
        List<EpochRecord> h = new ArrayList<>();
        for (int e = 0; e < 6; e++) {
            EpochRecord r = new EpochRecord();
            r.epoch = e;
            r.targetTrainLoss = 0.9 / (e + 1) + 0.02;
            r.targetValLoss = 0.8 / (e + 1) + 0.05;
            r.targetTrainAccuracy = 0.810 + 0.004 * e;
            r.targetValAccuracy = 0.812 + 0.003 * e;
            r.targetTestAccuracy = e == 5 ? 0.829 : Double.NaN;
            r.targetTestLoss = e == 5 ? 0.2 : Double.NaN;
            r.sourceTrainLoss = 0.5 / (e + 1);
            r.sourceTrainAccuracy = 0.82 + 0.002 * e;
            r.adapterUpdates = 10;
            r.adapterGradNorm = 40.0 / (e + 1);
            r.adapterDeltaNorm = 0.3 / (e + 1);
            r.injectionRelativeJump = 0.002 * (e + 1);
            h.add(r);
        }
        return h;
    }

    @Test
    void pngDecodesToTheDocumentedSize() throws Exception {
        Path png = dir.resolve("run.png");
        String title = CurvePlot.title("mergenet", dir.resolve("cnn/model.onnx"), dir.resolve("mlp/model.onnx"));
        CurvePlot.write(png, title, mergenetRun());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(CurvePlot.WIDTH, img.getWidth());
        assertEquals(CurvePlot.HEIGHT, img.getHeight());
        Path alone = dir.resolve("alone.png");
        CurvePlot.write(
                alone,
                CurvePlot.title("alone", dir.resolve("cnn/model.onnx"), null),
                mergenetRun().subList(0, 1));
        assertEquals(CurvePlot.WIDTH, ImageIO.read(alone.toFile()).getWidth(), "a single epoch plots too");
    }

    @Test
    void titleNamesModelsByFolderAndFileAndGoesDeeperWhenTheyClash() {
        assertEquals(
                "mergenet: cnn/model.onnx <- mlp/model.onnx",
                CurvePlot.title("mergenet", Path.of("/runs/cnn/model.onnx"), Path.of("/runs/mlp/model.onnx")));
        assertEquals(
                "kd: /a/x/model.onnx <- /b/x/model.onnx",
                CurvePlot.title("kd", Path.of("/a/x/model.onnx"), Path.of("/b/x/model.onnx")));
        assertEquals("alone: models/cnn.onnx", CurvePlot.title("alone", Path.of("/w/models/cnn.onnx"), null));
    }

    @Test
    void accuracyAxisSpansAtLeastTenPointsInsideZeroToHundred() {
        List<EpochRecord> h = mergenetRun(); // accuracies within 81.0 .. 83.0: a 2-point spread
        CurvePlot.write(dir.resolve("x.png"), "t", h);
        double[] r = CurvePlot.accuracyRange(List.of(), h);
        assertEquals(null, r, "no curves, no range");
        double[] nearTop = rangeOf(99.0, 99.5);
        assertTrue(
                nearTop[1] <= 100 && nearTop[1] - nearTop[0] >= CurvePlot.MIN_ACCURACY_SPAN - 1e-9,
                Arrays.toString(nearTop));
        double[] middle = rangeOf(81.0, 83.5);
        assertTrue(
                middle[0] <= 81.0 && middle[1] >= 83.5 && middle[1] - middle[0] >= CurvePlot.MIN_ACCURACY_SPAN - 1e-9,
                Arrays.toString(middle));
        double[] wide = rangeOf(10, 90);
        assertTrue(wide[0] < 10 && wide[1] > 90 && wide[1] - wide[0] < 100, Arrays.toString(wide));
    }

    private static double[] rangeOf(double lo, double hi) {
        EpochRecord a = new EpochRecord();
        a.targetTrainAccuracy = lo / 100;
        EpochRecord b = new EpochRecord();
        b.epoch = 1;
        b.targetTrainAccuracy = hi / 100;
        return CurvePlot.accuracyRangeOfTargetTrain(List.of(a, b));
    }
}
