package dev.mergenet.cli;

import dev.mergenet.sweep.Grid;
import dev.mergenet.sweep.SparkSettings;
import dev.mergenet.sweep.SweepDriver;
import dev.mergenet.sweep.SweepPlan;
import dev.mergenet.transfer.app.demo.DatasetInstaller;
import dev.mergenet.transfer.app.demo.FashionModels;
import dev.mergenet.transfer.app.demo.PretrainedSource;
import dev.mergenet.transfer.config.Defaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `mergenet experiment`: seeds × arms × a hyperparameter grid on one model pair, every trial a Spark task
 * (local mode by default), then a markdown table and an HTML page, rebuilt from the trial records on disk.
 */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description = "Run a multi-seed sweep on one model pair as Spark tasks (local by default; --master for a "
                + "cluster) and write a markdown table and an HTML page: p1 (Fashion-MNIST CNN <- co-trained MLP), "
                + "p2 (CNN <- frozen small ResNet pretrained on 55k), p3 (CNN whose adapted 1x1 conv sits in a "
                + "residual block <- the same frozen ResNet), p4 (ResNet <- the same ResNet 4x as wide, pretrained "
                + "on 55k: a same-family pair for weight selection), ocr (PP-OCR direction classifier <- frozen PP-OCRv4 "
                + "recognizer), or your own pair with --source, --target and --data. Finished trials are reused.")
final class ExperimentCommand implements Callable<Integer> {
    @Option(
            names = "--pair",
            defaultValue = "p2",
            description = "p1 (alias fashion), p2, p3, p4 or ocr (default ${DEFAULT-VALUE}); ignored with --target.")
    String pair;

    @Option(names = "--source", paramLabel = "S.onnx", description = "Your pair: the source model.")
    Path source;

    @Option(names = "--target", paramLabel = "T.onnx", description = "Your pair: the target model.")
    Path target;

    @Option(
            names = "--data",
            paramLabel = "SPEC",
            description = "Your pair: fashion-mnist:DIR, mnist:DIR, folder:DIR or csv:FILE; built-in pairs: the "
                    + "Fashion-MNIST folder (default " + "/usr/share/datasets/fashion-mnist).")
    String data;

    @Option(
            names = "--models",
            description = "ocr: folder with ch_ppocr_mobile_v2.0_cls_infer.onnx and ch_PP-OCRv4_rec_infer.onnx.")
    Path models = Path.of(".cache/ocr-models");

    @Option(names = "--seeds", defaultValue = "5", description = "Number of seeds 0..N-1 (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(
            names = {"--arms", "--modes"},
            split = ",",
            defaultValue = "alone,kd,mergenet,random-source",
            description = "Arms: a mode, with :gated or :released for adapter modes, e.g. mergenet+kd:gated, and"
                    + " settings fixed for the arm, e.g. kd@init=selection@kd-loss=dkd or kd@teacher=random; 'default'"
                    + " runs transfer's default recipe for the pair (default ${DEFAULT-VALUE}).")
    List<String> arms;

    @Option(
            names = "--grid",
            paramLabel = "KEY=V1,V2",
            description =
                    "A hyperparameter grid axis (repeatable), e.g. --grid adapter-lr=1e-1,1e-2 --grid cycle=1,2,3; "
                            + "each arm runs the grid over the settings it reads, and the table shows the configuration "
                            + "selected on validation accuracy and how many were tried.")
    List<String> grid = new ArrayList<>();

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs per run (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--lr",
            defaultValue = "0.05",
            description = "Target (and co-trained source) SGD learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(
            names = "--width",
            description = "p1/p2/p3: the target CNN's base width (default 12); p4: the target ResNet's width, the"
                    + " source's is 4x (default 8).")
    Integer width;

    @Option(
            names = "--source-epochs",
            defaultValue = "4",
            description =
                    "p2/p3/p4: epochs of `train` for the source on the 55k split, done once and kept (default ${DEFAULT-VALUE}).")
    int sourceEpochs;

    @Option(
            names = "--source-scratch",
            description = "p2/p3/p4: the source starts untrained (a fresh initialization per seed) and is trained"
                    + " together with the target, as MergeNet's own protocol, instead of the frozen pretrained one.")
    boolean sourceScratch;

    @Option(
            names = "--source-model",
            description = "p2/p3/p4: the pretrained source; trained here first when the file does not exist (default"
                    + " experiment-out/source-resnet.onnx, for p4 experiment-out/source-resnet-wW.onnx).")
    Path sourceModel;

    @Option(names = "--train-limit", defaultValue = "0", description = "Fixed training subset size (0: all 55k).")
    int trainLimit;

    @Option(names = "--eval-limit", defaultValue = "0", description = "Validation/test samples used (0: all).")
    int evalLimit;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--pairs",
            paramLabel = "auto|T=S,...",
            defaultValue = "auto",
            description = "Your pair: the adapted weight pairs, as transfer's --pair (default ${DEFAULT-VALUE}).")
    String pairs;

    @Option(names = "--num-classes", description = "Your pair: re-head the target to N classes.")
    Integer numClasses;

    @Option(names = "--resize", paramLabel = "HxW", description = "Your pair: resize the input.")
    String resize;

    @Option(names = "--channels", defaultValue = "0", description = "Your pair: replicate the input to N channels.")
    int channels;

    @Option(names = "--mean", split = ",", description = "Your pair: per-channel mean.")
    List<String> mean;

    @Option(names = "--std", split = ",", description = "Your pair: per-channel std.")
    List<String> std;

    @Option(
            names = "--kd-alpha",
            defaultValue = "0.9",
            description = "KD arms: weight of the distillation term (default ${DEFAULT-VALUE}).")
    double kdAlpha;

    @Option(
            names = "--kd-temperature",
            description = "KD arms: temperature (default: the loss's own, 4 for hinton and dkd, 2 for zscore, 1 for"
                    + " dist).")
    Double kdTemperature;

    @Option(
            names = "--out",
            defaultValue = "experiment-out",
            description =
                    "Folder for the sweep: trials/, sweep.json, results.md, report.html (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--table", description = "Write the markdown table here (default OUT/results.md).")
    Path table;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description =
                    "cpu, gpu[:N] or auto; a GPU Spark assigns to the task (spark.task.resource.gpu.amount) wins (default ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master: local[N] (default, N = cores / threads per trial: N trials at a time, each "
                    + "in a JVM of its own; local[N,F] retries a lost trial F-1 times), spark://HOST:PORT, yarn or "
                    + "k8s://... (one trial per executor JVM).")
    String master;

    @Option(
            names = "--threads-per-trial",
            paramLabel = "N",
            description =
                    "libtorch threads of each trial, and the cores Spark gives its task on a cluster (default: 1, "
                            + "a share of the cores when more than 8 trials would run at once; with local[N] the "
                            + "cores / N; 1 on a cluster).")
    Integer threadsPerTrial;

    @Option(
            names = "--conf",
            paramLabel = "KEY=VALUE",
            description = "A Spark setting (repeatable), e.g. spark.executor.memory=8g.")
    List<String> conf = new ArrayList<>();

    @Option(
            names = "--retry-failed",
            description = "Run the trials that failed before again (default: a failed trial stays a failed row).")
    boolean retryFailed;

    @Option(
            names = "--rebuild",
            description = "Only rebuild the table and the HTML page of OUT from the trial records on disk.")
    boolean rebuild;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rebuild) {
            SweepDriver.Rebuilt r = SweepDriver.rebuild(out, table);
            System.out.printf(
                    "rebuilt from %d trial records (%d missing): %s, %s%n",
                    r.records().size(), r.missing(), r.table(), r.html());
            System.out.print(Files.readString(r.table())); // ends with the verdict line
            return 0;
        }
        long[] seedList = new long[seeds];
        for (int i = 0; i < seeds; i++) {
            seedList[i] = i;
        }
        Files.createDirectories(out);
        String command = "./mergenet "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        Map<String, String> params = params();
        SweepPlan plan;
        if (target != null || source != null) {
            plan = userPair(command, params, seedList);
        } else {
            plan = builtInPair(command, params, seedList);
        }
        Map<String, String> sparkConf = new LinkedHashMap<>();
        for (String c : conf) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--conf " + c + ": expected KEY=VALUE");
            }
            sparkConf.put(c.substring(0, eq), c.substring(eq + 1));
        }
        SweepDriver.Result r = SweepDriver.run(
                plan, SparkSettings.of(master, threadsPerTrial, device, sparkConf), retryFailed, table, System.err);
        System.out.printf(
                "%d trials run, %d reused; table written to %s, page to %s%n",
                r.ran(), r.reused(), r.table(), r.html());
        System.out.print(Files.readString(r.table())); // ends with the verdict line
        return 0;
    }

    /** Every training setting by name, as the trials read them. */
    private Map<String, String> params() {
        Map<String, String> p = new TreeMap<>();
        p.put("epochs", Integer.toString(epochs));
        p.put("batch-size", Integer.toString(batchSize));
        p.put("optimizer", "sgd");
        p.put("lr", Double.toString(lr));
        p.put("schedule", "step");
        p.put("weight-decay", "5e-4");
        p.put("cycle", Integer.toString(adapterOptions.cycle));
        p.put("adapter-lr", Double.toString(adapterOptions.adapterLr));
        p.put("rank", Integer.toString(adapterOptions.rank));
        p.put("transfer-until", Double.toString(adapterOptions.transferUntil));
        if (adapterOptions.compactUntil
                != Defaults.COMPACT_UNTIL) { // absent at its default: trial hashes stay as they were
            p.put("compact-until", Double.toString(adapterOptions.compactUntil));
        }
        p.put("generation", adapterOptions.generation);
        p.put("gate-lr", Double.toString(adapterOptions.gateLr));
        p.put("max-adapter-ratio", Double.toString(adapterOptions.maxAdapterRatio));
        p.put("kd-alpha", Double.toString(kdAlpha));
        if (kdTemperature != null) {
            p.put("kd-temperature", Double.toString(kdTemperature));
        }
        return p;
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SweepPlan userPair(String command, Map<String, String> params, long[] seedList) {
        if (target == null || data == null || !data.contains(":")) {
            throw new IllegalArgumentException("your pair needs --target T.onnx, --data SPEC (e.g. folder:DIR) and, "
                    + "for every arm but alone, --source S.onnx");
        }
        params.put("pairs", pairs);
        params.put("frozen-source", "true");
        if (numClasses != null) {
            params.put("num-classes", Integer.toString(numClasses));
        }
        if (resize != null) {
            params.put("resize", resize);
        }
        params.put("channels", Integer.toString(channels));
        if (mean != null) {
            params.put("mean", String.join("/", mean));
        }
        if (std != null) {
            params.put("std", String.join("/", std));
        }
        SweepPlan.Models m = new SweepPlan.Models(target, source);
        String name = target.getFileName().toString().replaceFirst("\\.onnx$", "");
        return SweepPlan.of(
                name,
                "Your pair: " + target.getFileName() + (source == null ? "" : " <- " + source.getFileName()) + " on "
                        + data,
                command,
                out,
                seed -> m,
                arms,
                seedList,
                new SweepPlan.Settings(data, params, Grid.parse(grid), trainLimit, evalLimit));
    }

    private SweepPlan builtInPair(String command, Map<String, String> params, long[] seedList) throws Exception {
        Path fashionDir = data == null
                ? DatasetInstaller.DEFAULT_DIR
                : Path.of(data.startsWith("fashion-mnist:") ? data.substring("fashion-mnist:".length()) : data);
        DatasetInstaller.ensureFashionMnist(fashionDir, System.err);
        String p = pair.equals("fashion") ? "p1" : pair;
        if (!List.of("p1", "p2", "p3", "p4", "ocr").contains(p)) {
            throw new IllegalArgumentException("--pair " + pair + ": expected p1, p2, p3, p4 or ocr");
        }
        int width = this.width != null ? this.width : p.equals("p4") ? 8 : 12;
        if (sourceScratch && !List.of("p2", "p3", "p4").contains(p)) {
            throw new IllegalArgumentException("--source-scratch: only for p2, p3 and p4 (p1 co-trains its source)");
        }
        if (p.equals("ocr") && arms.stream().anyMatch(a -> a.startsWith("kd") || a.contains("+kd"))) {
            throw new IllegalArgumentException("--pair ocr: kd needs a shared label space (the recognizer's is not "
                    + "Fashion-MNIST's); leave the kd arms out of --arms");
        }
        String fashion = "fashion-mnist:" + fashionDir;
        // p1 co-trains its source, as the released code, and so does --source-scratch; otherwise it is pretrained,
        // frozen
        params.put("frozen-source", Boolean.toString(!p.equals("p1") && !sourceScratch));
        params.put("pairs", "auto");
        Grid g = Grid.parse(grid);
        SweepPlan.Settings settings = new SweepPlan.Settings(fashion, params, g, trainLimit, evalLimit);
        Path modelsDir = Files.createDirectories(out.resolve("models"));
        switch (p) {
            case "ocr" -> {
                Path cls = models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx");
                Path rec = models.resolve("ch_PP-OCRv4_rec_infer.onnx");
                params.put("resize", "48x192");
                params.put("channels", "3");
                params.put("mean", "0.5");
                params.put("std", "0.5");
                params.put("num-classes", "10");
                SweepPlan.Models m = new SweepPlan.Models(cls, rec);
                return SweepPlan.of(
                        "ocr",
                        "OCR: PP-OCR direction classifier <- frozen PP-OCRv4 recognizer",
                        command,
                        out,
                        seed -> m,
                        arms,
                        seedList,
                        new SweepPlan.Settings(fashion, params, g, trainLimit, evalLimit));
            }
            case "p1" -> {
                return SweepPlan.of(
                        "p1",
                        "P1: Fashion-MNIST CNN target <- co-trained MLP source",
                        command,
                        out,
                        seed -> {
                            Path dir = modelsDir.resolve("p1_w" + width);
                            Path t = dir.resolve("target_s" + seed + ".onnx");
                            Path s = dir.resolve("source_s" + seed + ".onnx");
                            if (!Files.exists(t) || !Files.exists(s)) {
                                Path[] w = FashionModels.writePair(createDirectories(dir), seed, width);
                                return new SweepPlan.Models(w[0], w[1]);
                            }
                            return new SweepPlan.Models(t, s);
                        },
                        arms,
                        seedList,
                        settings);
            }
            default -> {
                boolean p4 = p.equals("p4");
                int sourceWidth = p4 ? 4 * width : 16;
                Path src = null;
                if (!sourceScratch) {
                    Path file = sourceModel != null
                            ? sourceModel
                            : Path.of(
                                    "experiment-out",
                                    p4 ? "source-resnet-w" + sourceWidth + ".onnx" : "source-resnet.onnx");
                    if (file.toAbsolutePath().getParent() != null) {
                        Files.createDirectories(file.toAbsolutePath().getParent());
                    }
                    src = PretrainedSource.ensure(
                            file, fashion, sourceEpochs, sourceWidth, Devices.parse(device), System.err);
                }
                String sourceName = sourceScratch
                        ? "co-trained ResNet(" + sourceWidth + ") from scratch"
                        : "frozen ResNet(" + sourceWidth + ") pretrained on 55k";
                String title = switch (p) {
                            case "p3" -> "P3: CNN with the adapted 1x1 conv in a residual block";
                            case "p4" -> "P4: ResNet(" + width + ")";
                            default -> "P2: CNN target";
                        }
                        + " <- " + sourceName
                        + (trainLimit > 0
                                ? String.format(", %d training samples", trainLimit)
                                : ", 55k training samples");
                Path pretrained = src;
                return SweepPlan.of(
                        p,
                        title,
                        command,
                        out,
                        seed -> {
                            // written once per seed and kept: the same file is the same trial on the next run
                            Path t = modelsDir.resolve(p + "_target_w" + width + "_s" + seed + ".onnx");
                            if (!Files.exists(t)) {
                                FashionModels.write(
                                        switch (p) {
                                            case "p3" -> FashionModels.targetResidualCnn(width);
                                            case "p4" -> FashionModels.sourceResNet(width);
                                            default -> FashionModels.targetCnn(width);
                                        },
                                        p + "_target",
                                        seed,
                                        t,
                                        true);
                            }
                            if (pretrained != null) {
                                return new SweepPlan.Models(t, pretrained);
                            }
                            Path s = modelsDir.resolve("source_w" + sourceWidth + "_scratch_s" + seed + ".onnx");
                            if (!Files.exists(s)) {
                                FashionModels.write(
                                        FashionModels.sourceResNet(sourceWidth),
                                        "fashion_source_resnet",
                                        seed + 1000,
                                        s,
                                        true);
                            }
                            return new SweepPlan.Models(t, s);
                        },
                        arms,
                        seedList,
                        settings);
            }
        }
    }
}
