package dev.mergenet.transfer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLoadersTest {
    @TempDir
    Path dir;

    /** Writes an IDX file: images [n, h, w] with pixel (i, r, c) = (i*7 + r*3 + c) % 256, labels i % 10. */
    private static void writeIdx(Path folder, String prefix, int n, int h, int w, boolean gzip) throws IOException {
        writeFile(folder.resolve(prefix + "-images-idx3-ubyte" + (gzip ? ".gz" : "")), gzip, out -> {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(h);
            out.writeInt(w);
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        out.writeByte((i * 7 + r * 3 + c) % 256);
                    }
                }
            }
        });
        writeFile(folder.resolve(prefix + "-labels-idx1-ubyte" + (gzip ? ".gz" : "")), gzip, out -> {
            out.writeInt(0x00000801);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeByte(i % 10);
            }
        });
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static void writeFile(Path p, boolean gzip, Body body) throws IOException {
        try (OutputStream raw = Files.newOutputStream(p);
                OutputStream s = gzip ? new GZIPOutputStream(raw) : raw;
                DataOutputStream out = new DataOutputStream(s)) {
            body.write(out);
        }
    }

    @Test
    void idxFilesGzippedOrNotLoadWithTheirTestSplit() throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path folder = Files.createDirectories(dir.resolve(gzip ? "gz" : "raw"));
            writeIdx(folder, "train", 120, 4, 5, gzip);
            writeIdx(folder, "t10k", 30, 4, 5, gzip);
            DataSplits s = DataSpec.parse("fashion-mnist:" + folder).load(InputAdaptation.NONE, 20, 0);
            assertEquals(100, s.train().size());
            assertEquals(20, s.validation().size());
            assertEquals(30, s.test().size());
            assertEquals(new Shape(1, 4, 5), s.train().sampleShape());
            float[] x = s.test().sample(3);
            assertEquals((3 * 7 + 1 * 3 + 2) / 255f, x[1 * 5 + 2], 1e-7);
            assertEquals(3, s.test().label(3));
        }
    }

    @Test
    void validationSplitIsDisjointFixedAndIndependentOfTheRunSeed() throws IOException {
        writeIdx(dir, "train", 200, 2, 2, false);
        writeIdx(dir, "t10k", 10, 2, 2, false);
        DataSplits a = DataSpec.parse("mnist:" + dir).load(InputAdaptation.NONE, 50, 0);
        DataSplits b = DataSpec.parse("mnist:" + dir).load(InputAdaptation.NONE, 50, 0);
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(a.validation().sample(i), b.validation().sample(i));
        }
        // every training pixel pattern differs from every validation one (samples are distinct by construction)
        Set<String> val = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            val.add(Arrays.toString(a.validation().sample(i)) + a.validation().label(i));
        }
        for (int i = 0; i < 150; i++) {
            assertTrue(!val.contains(
                    Arrays.toString(a.train().sample(i)) + a.train().label(i)));
        }
    }

    @Test
    void batchOrderDependsOnlyOnSeedAndEpoch() {
        assertArrayEquals(BatchOrder.forEpoch(1000, 3, 2), BatchOrder.forEpoch(1000, 3, 2));
        assertNotEquals(
                Arrays.toString(BatchOrder.forEpoch(1000, 3, 2)), Arrays.toString(BatchOrder.forEpoch(1000, 3, 3)));
        assertNotEquals(
                Arrays.toString(BatchOrder.forEpoch(1000, 3, 2)), Arrays.toString(BatchOrder.forEpoch(1000, 4, 2)));
        int[] p = BatchOrder.forEpoch(1000, 3, 2).clone();
        Arrays.sort(p);
        for (int i = 0; i < p.length; i++) {
            assertEquals(i, p[i]);
        }
    }

    @Test
    void corruptAndMissingFilesGiveClearErrors() throws IOException {
        MergeNetException missing = assertThrows(
                MergeNetException.class,
                () -> DataSpec.parse("fashion-mnist:" + dir.resolve("nope")).load(InputAdaptation.NONE, 10, 0));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.write(dir.resolve("train-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 9});
        Files.write(dir.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 9});
        MergeNetException truncated = assertThrows(
                MergeNetException.class, () -> DataSpec.parse("mnist:" + dir).load(InputAdaptation.NONE, 10, 0));
        assertTrue(truncated.getMessage().contains("train-images-idx3-ubyte"), truncated.getMessage());
        assertThrows(MergeNetException.class, () -> DataSpec.parse("parquet:/x"));
    }

    @Test
    void imageFolderReadsOneClassPerSubFolder() throws IOException {
        String[] classes = {"cat", "dog"};
        for (int c = 0; c < 2; c++) {
            Path sub = Files.createDirectories(dir.resolve(classes[c]));
            for (int i = 0; i < 3; i++) {
                BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
                img.setRGB(1, 2, (200 << 16) | ((10 * i) << 8) | (c * 100));
                ImageIO.write(img, "png", sub.resolve("img" + i + ".png").toFile());
            }
            Files.writeString(sub.resolve("README.txt"), "not an image");
        }
        DataSplits s = DataSpec.parse("folder:" + dir).load(InputAdaptation.NONE, 2, 0);
        assertEquals(4, s.train().size());
        assertEquals(2, s.train().classes());
        assertEquals(new Shape(3, 3, 4), s.train().sampleShape());
        LabeledData all = ImageFolderDataset.load(dir, null);
        float[] x = all.sample(4); // dog, img1
        assertEquals(1, all.label(4));
        assertEquals(200 / 255f, x[2 * 4 + 1], 1e-6);
        assertEquals(10 / 255f, x[12 + 2 * 4 + 1], 1e-6);
        assertEquals(100 / 255f, x[24 + 2 * 4 + 1], 1e-6);
    }

    @Test
    void csvWithHeaderAndStringLabels() throws IOException {
        Path csv = dir.resolve("iris.csv");
        Files.writeString(csv, "a,b,species\n1.0,2.0,setosa\n3,4.5,versicolor\n-1,0,setosa\n");
        LabeledData d = CsvDataset.load(csv, null);
        assertEquals(3, d.size());
        assertEquals(2, d.classes());
        assertArrayEquals(new float[] {3f, 4.5f}, d.sample(1));
        assertEquals(1, d.label(1));
        assertEquals(java.util.List.of("setosa", "versicolor"), d.classNames(), "CSV labels name the classes");
        assertEquals(d.classNames(), d.subset(new int[] {0}, "one").classNames(), "subsets keep the names");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "1,2,0\n3,x,1\n");
        MergeNetException e = assertThrows(MergeNetException.class, () -> CsvDataset.load(bad, null));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("'x'"), e.getMessage());
        Path labelFirst = dir.resolve("first.csv");
        Files.writeString(labelFirst, "label,f1,f2\n2,0.5,0.25\n0,1,1\n");
        LabeledData f = DataSpec.parse("csv:" + labelFirst)
                .load(InputAdaptation.NONE, 0, 0)
                .train();
        assertEquals(3, f.classes());
        assertEquals(java.util.List.of("0", "1", "2"), f.classNames(), "numeric labels are their own names");
    }

    @Test
    void adaptationResizesReplicatesAndNormalises() {
        float[] x = {0, 1, 2, 3}; // one 2x2 grey image
        LabeledData d = new LabeledData("t", x, new int[] {0}, new Shape(1, 2, 2), 1);
        LabeledData a = new InputAdaptation(new int[] {4, 4}, 3, new float[] {0.5f}, new float[] {2f}).apply(d);
        assertEquals(new Shape(3, 4, 4), a.sampleShape());
        float[] y = a.sample(0);
        // torch bilinear (align_corners=False) of [[0,1],[2,3]] to 4x4: first row 0, .25, .75, 1
        float[] firstRow = {0f, 0.25f, 0.75f, 1f};
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < 4; j++) {
                assertEquals((firstRow[j] - 0.5f) / 2f, y[c * 16 + j], 1e-6);
            }
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray batch = a.features(m, new int[] {0}, 0, 1);
            assertEquals(new Shape(1, 3, 4, 4), batch.getShape());
        }
        assertThrows(MergeNetException.class, () -> new InputAdaptation(null, 0, new float[] {1, 2}, null).apply(d));
    }
}
