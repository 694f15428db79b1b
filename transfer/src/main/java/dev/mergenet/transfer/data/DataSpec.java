package dev.mergenet.transfer.data;

import dev.mergenet.core.errors.MergeNetException;
import java.nio.file.Path;
import java.util.List;

/**
 * A data source named on the command line: fashion-mnist:DIR, mnist:DIR, folder:DIR or csv:FILE[#label=COL].
 * IDX sets come with a separate test split; folder and CSV sets have only what {@link DataSplits} carves out.
 */
public record DataSpec(String kind, Path path, String labelColumn) {
    /** Fashion-MNIST's labels 0..9, as its authors name them. */
    public static final List<String> FASHION_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public static DataSpec parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new MergeNetException(
                    "--data " + spec + ": expected fashion-mnist:DIR, mnist:DIR, folder:DIR or " + "csv:FILE");
        }
        String kind = spec.substring(0, colon).toLowerCase();
        String rest = spec.substring(colon + 1);
        String label = null;
        if (kind.equals("csv") && rest.contains("#label=")) {
            label = rest.substring(rest.indexOf("#label=") + 7);
            rest = rest.substring(0, rest.indexOf("#label="));
        }
        if (!kind.equals("fashion-mnist") && !kind.equals("mnist") && !kind.equals("folder") && !kind.equals("csv")) {
            throw new MergeNetException(
                    "--data " + spec + ": unknown kind '" + kind + "' (fashion-mnist, mnist, folder, csv)");
        }
        if (rest.isEmpty()) {
            throw new MergeNetException("--data " + spec + ": missing path after '" + kind + ":'");
        }
        return new DataSpec(kind, Path.of(rest), label);
    }

    /** Loads the training pool (and the official test split when the format has one). */
    public DataSplits load(InputAdaptation adaptation, int validationSize, long splitSeed) {
        LabeledData pool;
        LabeledData test = null;
        switch (kind) {
            case "fashion-mnist", "mnist" -> {
                pool = IdxDataset.load(path, true);
                test = IdxDataset.load(path, false);
                if (kind.equals("fashion-mnist") && pool.classes() == FASHION_CLASSES.size()) {
                    pool = pool.withClassNames(FASHION_CLASSES);
                    test = test.classes() == FASHION_CLASSES.size() ? test.withClassNames(FASHION_CLASSES) : test;
                }
            }
            case "folder" -> pool = ImageFolderDataset.load(path, adaptation.resize());
            case "csv" -> pool = CsvDataset.load(path, labelColumn);
            default -> throw new IllegalStateException(kind);
        }
        DataSplits raw = DataSplits.split(pool, test, validationSize, splitSeed);
        return new DataSplits(
                adaptation.apply(raw.train()),
                raw.validation() == null ? null : adaptation.apply(raw.validation()),
                test == null ? null : adaptation.apply(raw.test()));
    }

    /** The spec as a shipped model may record it: the kind and the file or folder name, no local path. */
    public String shippedName() {
        Path name = path.getFileName();
        return kind + ":" + (name == null ? path : name) + (labelColumn == null ? "" : "#label=" + labelColumn);
    }

    @Override
    public String toString() {
        return kind + ":" + path + (labelColumn == null ? "" : "#label=" + labelColumn);
    }
}
