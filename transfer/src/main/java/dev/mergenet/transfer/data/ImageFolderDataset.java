package dev.mergenet.transfer.data;

import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * folder:DIR: one sub-folder per class (sorted by name = label order), images read with javax.imageio as RGB in
 * [0, 1], channels first. All images must share one size unless a resize is given (then bilinear).
 */
public final class ImageFolderDataset {
    private ImageFolderDataset() {}

    public static LabeledData load(Path dir, int[] resize) {
        if (!Files.isDirectory(dir)) {
            throw new MergeNetException(dir + ": data folder does not exist");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new MergeNetException(dir + ": cannot list: " + e.getMessage(), e);
        }
        if (classDirs.isEmpty()) {
            throw new MergeNetException(dir + ": no class sub-folders (expected DIR/<class>/<image>)");
        }
        List<float[]> samples = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int h = resize == null ? -1 : resize[0];
        int w = resize == null ? -1 : resize[1];
        for (int c = 0; c < classDirs.size(); c++) {
            List<Path> files;
            try (Stream<Path> s = Files.list(classDirs.get(c))) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                throw new MergeNetException(classDirs.get(c) + ": cannot list: " + e.getMessage(), e);
            }
            for (Path f : files) {
                BufferedImage img = readImage(f);
                if (img == null) {
                    continue; // not an image format javax.imageio knows (e.g. a README): skipped
                }
                if (h < 0) {
                    h = img.getHeight();
                    w = img.getWidth();
                }
                float[] chw = toChw(img);
                if (img.getHeight() != h || img.getWidth() != w) {
                    if (resize == null) {
                        throw new MergeNetException(f + ": image is " + img.getWidth() + "x" + img.getHeight()
                                + " but earlier images are " + w + "x" + h + "; pass --resize HxW");
                    }
                    chw = InputAdaptation.bilinear(chw, 3, img.getHeight(), img.getWidth(), h, w);
                }
                samples.add(chw);
                labels.add(c);
            }
        }
        if (samples.isEmpty()) {
            throw new MergeNetException(dir + ": no readable images in the class sub-folders");
        }
        int size = 3 * h * w;
        float[] x = new float[samples.size() * size];
        int[] y = new int[samples.size()];
        for (int i = 0; i < y.length; i++) {
            System.arraycopy(samples.get(i), 0, x, i * size, size);
            y[i] = labels.get(i);
        }
        return new LabeledData(dir.toString(), x, y, new Shape(3, h, w), classDirs.size())
                .withClassNames(
                        classDirs.stream().map(d -> d.getFileName().toString()).toList());
    }

    private static BufferedImage readImage(Path f) {
        try {
            return ImageIO.read(f.toFile());
        } catch (IOException e) {
            throw new MergeNetException(f + ": cannot read image: " + e.getMessage(), e);
        }
    }

    private static float[] toChw(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        float[] out = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                out[y * w + x] = ((rgb >> 16) & 0xff) / 255f;
                out[h * w + y * w + x] = ((rgb >> 8) & 0xff) / 255f;
                out[2 * h * w + y * w + x] = (rgb & 0xff) / 255f;
            }
        }
        return out;
    }
}
