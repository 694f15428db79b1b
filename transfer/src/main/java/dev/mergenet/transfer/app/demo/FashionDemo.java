package dev.mergenet.transfer.app.demo;

import ai.djl.Device;
import com.google.gson.JsonObject;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.verify.ModelVerifier;
import dev.mergenet.transfer.app.DefaultRecipe;
import dev.mergenet.transfer.app.InitialWeights;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.DataSpec;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.distill.KdLoss;
import dev.mergenet.transfer.report.RunReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * `mergenet demo`: the product's main use in miniature, on a same-family pair. A small ResNet is trained on the 55k
 * split (the pretrained model you hold) and kept frozen; the same ResNet at a quarter of its width is trained on a 5k
 * subset alone, with distillation from the source (--mode), and with `transfer`'s default recipe (weight selection
 * from the source plus distillation, {@link DefaultRecipe}), on the same seed and data order. Every model is
 * exported, the last is checked against ONNX Runtime (outputs on random inputs), every test accuracy is measured
 * again by ONNX Runtime, and a table shows the differences.
 */
public final class FashionDemo {
    /** The source ResNet's width; the target's is a quarter of it. */
    static final int SOURCE_WIDTH = 16;

    /** Demo size: a fixed training subset keeps it within minutes on 2 cores. */
    public record Settings(
            Path dataDir,
            Path workDir,
            int epochs,
            int trainLimit,
            int evalLimit,
            int sourceEpochs,
            RunConfig transfer,
            long seed,
            Device device) {}

    /** One row of the demo table. */
    public record Row(
            String mode,
            double valAccuracy,
            double testAccuracy,
            double ortTestAccuracy,
            double secondsPerEpoch,
            double adapterShare,
            Path model) {}

    private FashionDemo() {}

    public static List<Row> run(Settings s, PrintStream log) {
        DatasetInstaller.ensureFashionMnist(s.dataDir(), log);
        try {
            Files.createDirectories(s.workDir());
        } catch (IOException e) {
            throw new MergeNetException(s.workDir() + ": cannot create: " + e.getMessage(), e);
        }
        String data = "fashion-mnist:" + s.dataDir();
        Path source = PretrainedSource.ensure(
                s.workDir().resolve("source-resnet.onnx"), data, s.sourceEpochs(), s.device(), log);
        log.println("writing the target, the source's ResNet at a quarter of its width, as ONNX (DJL blocks through "
                + "the exporter)");
        Path target = FashionModels.write(
                FashionModels.sourceResNet(SOURCE_WIDTH / 4),
                "fashion_target_resnet",
                s.seed(),
                s.workDir().resolve("target.onnx"),
                true);
        DataSplits splits =
                DataSpec.parse(data).load(InputAdaptation.NONE, -1, 0).limitEval(s.evalLimit());
        DefaultRecipe recipe = DefaultRecipe.resolve(source, target);
        log.println(recipe.line());
        RunConfig byRecipe = s.transfer().toBuilder()
                .mode(recipe.mode())
                .distillation(recipe.alpha(), KdLoss.defaults(recipe.loss()))
                .build();
        List<Run> runs = List.of(
                new Run("alone", s.transfer().withMode(Mode.ALONE), InitialWeights.Init.TARGET),
                new Run(label(s.transfer()), s.transfer(), InitialWeights.Init.TARGET),
                new Run("default", byRecipe, recipe.init()));
        List<Row> rows = new ArrayList<>();
        for (Run run : runs) {
            String name = run.name();
            log.printf("== %s (%d epochs on %d training samples)%n", name, s.epochs(), s.trainLimit());
            String file = name.replace(':', '-').replace('+', '-');
            Path out = s.workDir().resolve(file + ".onnx");
            TransferJob.Request req = TransferJob.Request.builder(
                            target, data, run.config().withEpochs(s.epochs()).withSeed(s.seed()))
                    .source(source, List.of("auto"))
                    .init(run.init())
                    .limits(-1, s.trainLimit(), s.evalLimit())
                    .outputs(
                            out,
                            s.workDir().resolve(file + ".json"),
                            s.workDir().resolve(file + ".png"))
                    .force(true)
                    .commandLine("mergenet demo")
                    .build();
            TransferJob.Result r = TransferJob.run(req, s.device(), log);
            var sum = RunReport.summary(r.history());
            double ortAcc = OrtAccuracy.accuracy(out, splits.test(), 500);
            rows.add(new Row(
                    name,
                    r.keptValAccuracy(),
                    r.keptTestAccuracy(),
                    ortAcc,
                    get(sum, "secondsPerEpoch"),
                    get(sum, "adapterShareOfEpoch"),
                    out));
        }
        Path merged = rows.get(rows.size() - 1).model();
        log.println("verifying " + merged.getFileName() + " in ONNX Runtime");
        List<ModelVerifier.Check> checks = ModelVerifier.verify(
                merged, new ModelVerifier.Options(null, Map.of("batch", 4L), 1e-4, 1e-3, 0, s.device()));
        for (ModelVerifier.Check c : checks) {
            if (!c.result().ok()) {
                throw new MergeNetException(merged + ": output " + c.output() + " differs from ONNX Runtime: "
                        + c.result().reason());
            }
        }
        for (Row row : rows) {
            if (Math.abs(row.ortTestAccuracy() - row.testAccuracy()) > 0.002) {
                throw new MergeNetException(row.model() + ": ONNX Runtime test accuracy " + row.ortTestAccuracy()
                        + " differs from the trained model's " + row.testAccuracy());
            }
        }
        return rows;
    }

    /** One trained row: its name, its configuration and where its initial weights come from. */
    private record Run(String name, RunConfig config, InitialWeights.Init init) {}

    /** "kd", or "mergenet+kd:gated" for adapter modes. */
    static String label(RunConfig cfg) {
        return cfg.mode().usesAdapter()
                ? cfg.mode().cliName() + ":" + cfg.adapter().output().cliName()
                : cfg.mode().cliName();
    }

    private static double get(JsonObject o, String k) {
        return o.get(k) == null || o.get(k).isJsonNull() ? Double.NaN : o.get(k).getAsDouble();
    }

    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                "%-18s %9s %9s %13s %9s %9s  %s%n",
                "mode", "val acc", "test acc", "ORT test acc", "s/epoch", "adapter", "exported model"));
        for (Row r : rows) {
            sb.append(String.format(
                    "%-18s %8.2f%% %8.2f%% %12.2f%% %9.1f %9s  %s%n",
                    r.mode(),
                    100 * r.valAccuracy(),
                    100 * r.testAccuracy(),
                    100 * r.ortTestAccuracy(),
                    r.secondsPerEpoch(),
                    Double.isNaN(r.adapterShare()) || r.mode().equals("alone")
                            ? "-"
                            : String.format("%.0f%%", 100 * r.adapterShare()),
                    r.model()));
        }
        for (Row r : rows.subList(1, rows.size())) {
            sb.append(String.format(
                    "%s - alone: %+.2f pp test accuracy%n",
                    r.mode(), 100 * (r.testAccuracy() - rows.get(0).testAccuracy())));
        }
        sb.append("(seed-paired, one seed; docs/results.md has the multi-seed confidence intervals)\n");
        return sb.toString();
    }
}
