package dev.mergenet.cli;

import ai.djl.Device;
import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.app.demo.DatasetInstaller;
import dev.mergenet.transfer.app.demo.FashionModels;
import dev.mergenet.transfer.app.demo.PretrainedSource;
import dev.mergenet.transfer.app.experiment.ExperimentRunner;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.InputAdaptation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `mergenet experiment`: seeds × modes for the Fashion-MNIST CNN pair or the PP-OCR pair; writes a results table. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run a multi-seed experiment on one model pair and write a markdown table: p1 (Fashion-MNIST CNN "
                + "<- co-trained MLP), p2 (CNN <- frozen small ResNet pretrained on 55k), p3 (CNN whose adapted 1x1 "
                + "conv sits in a residual block <- the same frozen ResNet), ocr (PP-OCR direction classifier <- frozen "
                + "PP-OCRv4 recognizer).")
final class ExperimentCommand implements Callable<Integer> {
    @Option(names = "--pair", defaultValue = "p2", description = "p1 (alias fashion), p2, p3 or ocr (default ${DEFAULT-VALUE}).")
    String pair;

    @Option(names = "--data", description = "Fashion-MNIST folder (default ${DEFAULT-VALUE}).")
    Path data = DatasetInstaller.DEFAULT_DIR;

    @Option(names = "--models", description = "ocr: folder with ch_ppocr_mobile_v2.0_cls_infer.onnx and ch_PP-OCRv4_rec_infer.onnx.")
    Path models = Path.of(".cache/ocr-models");

    @Option(names = "--seeds", defaultValue = "5", description = "Number of seeds 0..N-1 (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = {"--arms", "--modes"}, split = ",", defaultValue = "alone,kd,mergenet,random-source",
            description = "Arms: a mode, with :gated or :released for adapter modes, e.g. mergenet+kd:gated "
                    + "(default ${DEFAULT-VALUE}).")
    List<String> arms;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs per run (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.05", description = "Target (and co-trained source) SGD learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--width", defaultValue = "12", description = "p1/p2/p3: the target CNN's base width (default ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--source-epochs", defaultValue = "4",
            description = "p2/p3: epochs of `train` for the source on the 55k split, done once and kept in OUT (default ${DEFAULT-VALUE}).")
    int sourceEpochs;

    @Option(names = "--source-model", defaultValue = "experiment-out/source-resnet.onnx",
            description = "p2/p3: the pretrained source; trained here first when the file does not exist (default ${DEFAULT-VALUE}).")
    Path sourceModel;

    @Option(names = "--train-limit", defaultValue = "0", description = "Fixed training subset size (0: all 55k).")
    int trainLimit;

    @Option(names = "--eval-limit", defaultValue = "0", description = "Validation/test samples used (0: all).")
    int evalLimit;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--out", defaultValue = "experiment-out", description = "Folder for runs (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--table", description = "Write the markdown table here (default OUT/results.md).")
    Path table;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu[:N] or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<ExperimentRunner.Arm> armList = new ArrayList<>();
        for (String a : arms) {
            armList.add(ExperimentRunner.Arm.parse(a));
        }
        long[] seedList = new long[seeds];
        for (int i = 0; i < seeds; i++) {
            seedList[i] = i;
        }
        Files.createDirectories(out);
        if (sourceModel.toAbsolutePath().getParent() != null) {
            Files.createDirectories(sourceModel.toAbsolutePath().getParent());
        }
        DatasetInstaller.ensureFashionMnist(data, System.err);
        String p = pair.equals("fashion") ? "p1" : pair;
        if (!List.of("p1", "p2", "p3", "ocr").contains(p)) {
            throw new IllegalArgumentException("--pair " + pair + ": expected p1, p2, p3 or ocr");
        }
        boolean ocr = p.equals("ocr");
        if (ocr && armList.stream().anyMatch(a -> a.mode().distils())) {
            throw new IllegalArgumentException("--pair ocr: kd needs a shared label space (the recognizer's is not "
                    + "Fashion-MNIST's); leave the kd arms out of --arms");
        }
        Device dev = Devices.parse(device);
        String fashion = "fashion-mnist:" + data;
        // p1 co-trains its source, as the released code; every other pair has a frozen, pretrained source
        RunConfig base = adapterOptions.apply(RunConfig.builder(Mode.ALONE)
                .training(t -> t.epochs(epochs).seed(0).batchSize(batchSize).lr(lr)).build(), AdapterConfig.DEFAULT,
                !p.equals("p1"));
        ExperimentRunner.Plan plan;
        String title;
        switch (p) {
            case "ocr" -> {
                Path cls = models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx");
                Path rec = models.resolve("ch_PP-OCRv4_rec_infer.onnx");
                plan = new ExperimentRunner.Plan("ocr", seed -> new Path[] {cls, rec}, fashion,
                        new InputAdaptation(new int[] {48, 192}, 3, new float[] {0.5f}, new float[] {0.5f}), null,
                        List.of("auto"), 10, armList, seedList, base, trainLimit, evalLimit, out, dev);
                title = "OCR: PP-OCR direction classifier <- frozen PP-OCRv4 recognizer";
            }
            case "p1" -> {
                plan = new ExperimentRunner.Plan("p1", seed -> FashionModels.writePair(out, seed, width), fashion,
                        InputAdaptation.NONE, null, List.of("auto"), null, armList, seedList, base, trainLimit,
                        evalLimit, out, dev);
                title = "P1: Fashion-MNIST CNN target <- co-trained MLP source";
            }
            default -> {
                Path source = PretrainedSource.ensure(sourceModel, fashion, sourceEpochs, dev,
                        System.err);
                boolean residual = p.equals("p3");
                plan = new ExperimentRunner.Plan(p, seed -> new Path[] {FashionModels.write(residual
                        ? FashionModels.targetResidualCnn(width) : FashionModels.targetCnn(width), p + "_target", seed,
                        out.resolve(p + "_target_s" + seed + ".onnx"), true), source}, fashion, InputAdaptation.NONE,
                        null, List.of("auto"), null, armList, seedList, base, trainLimit, evalLimit, out, dev);
                title = (residual ? "P3: CNN with the adapted 1x1 conv in a residual block" : "P2: CNN target")
                        + " <- frozen small ResNet pretrained on 55k"
                        + (trainLimit > 0 ? String.format(", %d training samples", trainLimit) : ", 55k training samples");
            }
        }
        List<ExperimentRunner.Outcome> outcomes = ExperimentRunner.run(plan, System.err);
        Path t = table != null ? table : out.resolve("results.md");
        String command = "./mergenet " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        ExperimentRunner.writeTable(t, title, command, outcomes, armList);
        System.out.print(ExperimentRunner.table(outcomes, armList));
        System.out.println("table written to " + t);
        // every pair is evaluated on Fashion-MNIST's test set (10 classes), up to --eval-limit samples
        System.out.println(ExperimentRunner.verdict(outcomes, armList, evalLimit > 0 ? Math.min(evalLimit, 10_000)
                : 10_000, 10));
        return 0;
    }
}
