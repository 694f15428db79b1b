package dev.mergenet.sweep;

import dev.mergenet.importers.testing.TestData;
import dev.mergenet.transfer.app.demo.FashionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Tiny trials for the sweep tests: a width-4 CNN target and the MLP source, a few hundred Fashion-MNIST images. */
final class TinySweep {
    private TinySweep() {}

    /** Writes target.onnx and source.onnx into {@code dir} (once). */
    static SweepPlan.Models models(Path dir) {
        Path t = dir.resolve("target.onnx");
        Path s = dir.resolve("source.onnx");
        if (!Files.exists(t)) {
            FashionModels.write(FashionModels.targetCnn(4), "tiny_target", 7, t, false);
            FashionModels.write(FashionModels.sourceMlp(), "tiny_source", 8, s, false);
        }
        return new SweepPlan.Models(t, s);
    }

    static Map<String, String> params(int epochs) {
        Map<String, String> p = new TreeMap<>();
        p.put("epochs", Integer.toString(epochs));
        p.put("batch-size", "50");
        return p;
    }

    static SweepPlan plan(
            Path models, Path out, List<String> arms, int seeds, int epochs, int trainLimit, List<String> grid) {
        SweepPlan.Models m = models(models);
        long[] s = new long[seeds];
        for (int i = 0; i < seeds; i++) {
            s[i] = i;
        }
        String data = "fashion-mnist:" + TestData.require(TestData.FASHION_MNIST);
        return SweepPlan.of(
                "tiny",
                "Tiny sweep",
                "test",
                out,
                seed -> m,
                arms,
                s,
                new SweepPlan.Settings(data, params(epochs), Grid.parse(grid), trainLimit, 200));
    }

    /** Local mode with {@code master}'s slots, one thread per trial, trial JVMs of a 1 GB heap. */
    static SparkSettings local(String master) {
        return new SparkSettings(master, 1, "cpu", Map.of("spark.executor.memory", "1g"));
    }

    static SparkSettings local(int slots) {
        return local("local[" + slots + "]");
    }
}
