package dev.mergenet.transfer.data;

import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import java.nio.file.Files;
import java.nio.file.Path;

/** MNIST / Fashion-MNIST folders: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; pixels scaled to [0, 1]. */
public final class IdxDataset {
    private IdxDataset() {}

    public static LabeledData load(Path dir, boolean train) {
        if (!Files.isDirectory(dir)) {
            throw new MergeNetException(dir + ": data folder does not exist");
        }
        String prefix = train ? "train" : "t10k";
        IdxFile images = IdxFile.read(find(dir, prefix + "-images-idx3-ubyte"));
        IdxFile labels = IdxFile.read(find(dir, prefix + "-labels-idx1-ubyte"));
        int[] d = images.dims();
        if (d.length != 3 || labels.dims().length != 1 || labels.dims()[0] != d[0]) {
            throw new MergeNetException(dir + ": " + prefix + " images " + java.util.Arrays.toString(d)
                    + " do not match labels " + java.util.Arrays.toString(labels.dims()));
        }
        float[] x = new float[images.length()];
        for (int i = 0; i < x.length; i++) {
            x[i] = images.unsigned(i) / 255f;
        }
        int[] y = new int[d[0]];
        int classes = 0;
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.unsigned(i);
            classes = Math.max(classes, y[i] + 1);
        }
        return new LabeledData(dir + "/" + prefix, x, y, new Shape(1, d[1], d[2]), Math.max(classes, 10));
    }

    private static Path find(Path dir, String stem) {
        for (String name :
                new String[] {stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new MergeNetException(dir + ": missing " + stem + "[.gz]");
    }
}
