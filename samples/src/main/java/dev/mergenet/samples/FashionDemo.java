package dev.mergenet.samples;

import ai.djl.Device;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.verify.ModelVerifier;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.data.DataSpec;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.report.RunReport;
import dev.mergenet.transfer.train.Mode;
import dev.mergenet.transfer.train.RunConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * `mergenet demo`: the Fashion-MNIST experiment in miniature. Writes the CNN target and MLP source as ONNX, trains
 * the target alone and with MergeNet on the same seed and data order, exports both, checks the exported MergeNet
 * model against ONNX Runtime (outputs on random inputs, and test accuracy measured by ONNX Runtime), prints a table.
 */
public final class FashionDemo {
    /** Demo size: a fixed training subset keeps it within minutes on 2 cores. */
    public record Settings(Path dataDir, Path workDir, int epochs, int trainLimit, int evalLimit, int cycle,
                           double adapterLr, long seed, Device device) {}

    /** One row of the demo table. */
    public record Row(String mode, double valAccuracy, double testAccuracy, double ortTestAccuracy,
                      double secondsPerEpoch, double adapterShare, Path model) {}

    private FashionDemo() {}

    public static List<Row> run(Settings s, PrintStream log) {
        DatasetInstaller.ensureFashionMnist(s.dataDir(), log);
        try {
            Files.createDirectories(s.workDir());
        } catch (java.io.IOException e) {
            throw new MergeNetException(s.workDir() + ": cannot create: " + e.getMessage(), e);
        }
        log.println("writing the CNN target and MLP source as ONNX (DJL blocks through the exporter)");
        Path[] models = FashionModels.writePair(s.workDir(), s.seed(), 16);
        String data = "fashion-mnist:" + s.dataDir();
        DataSplits splits = DataSpec.parse(data).load(InputAdaptation.NONE, -1, 0).limitEval(s.evalLimit());
        List<Row> rows = new ArrayList<>();
        for (Mode mode : List.of(Mode.ALONE, Mode.MERGENET)) {
            log.printf("== %s (%d epochs on %d training samples)%n", mode.cliName(), s.epochs(), s.trainLimit());
            RunConfig cfg = RunConfig.defaults(mode, s.epochs(), s.seed()).withCycle(s.cycle())
                    .withAdapter(RunConfig.defaults(mode, 1, 0).adapter(), s.adapterLr(), 0, false);
            Path out = s.workDir().resolve(mode.cliName() + ".onnx");
            TransferJob.Request req = new TransferJob.Request(models[0], models[1], List.of("auto"), data, null,
                    InputAdaptation.NONE, null, -1, s.trainLimit(), s.evalLimit(), cfg, null, out,
                    s.workDir().resolve(mode.cliName() + ".json"), s.workDir().resolve(mode.cliName() + ".png"), true,
                    "mergenet demo");
            TransferJob.Result r = TransferJob.run(req, s.device(), log);
            var sum = RunReport.summary(r.history());
            double ortAcc = OrtAccuracy.accuracy(out, splits.test(), 500);
            rows.add(new Row(mode.cliName(), get(sum, "finalValAccuracy"), get(sum, "finalTestAccuracy"), ortAcc,
                    get(sum, "secondsPerEpoch"), get(sum, "adapterShareOfEpoch"), out));
        }
        Path merged = rows.get(1).model();
        log.println("verifying " + merged.getFileName() + " in ONNX Runtime");
        List<ModelVerifier.Check> checks = ModelVerifier.verify(merged,
                new ModelVerifier.Options(null, Map.of("batch", 4L), 1e-4, 1e-3, 0, s.device()));
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

    private static double get(com.google.gson.JsonObject o, String k) {
        return o.get(k) == null || o.get(k).isJsonNull() ? Double.NaN : o.get(k).getAsDouble();
    }

    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-10s %9s %9s %13s %9s %9s  %s%n", "mode", "val acc", "test acc", "ORT test acc",
                "s/epoch", "adapter", "exported model"));
        for (Row r : rows) {
            sb.append(String.format("%-10s %8.2f%% %8.2f%% %12.2f%% %9.1f %9s  %s%n", r.mode(), 100 * r.valAccuracy(),
                    100 * r.testAccuracy(), 100 * r.ortTestAccuracy(), r.secondsPerEpoch(),
                    Double.isNaN(r.adapterShare()) || r.mode().equals("alone") ? "-"
                            : String.format("%.0f%%", 100 * r.adapterShare()), r.model()));
        }
        return sb.toString();
    }
}
