package dev.mergenet.cli;

import dev.mergenet.samples.DatasetInstaller;
import dev.mergenet.samples.ExperimentRunner;
import dev.mergenet.samples.FashionModels;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.train.Mode;
import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.train.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `mergenet experiment`: seeds × modes for the Fashion-MNIST CNN pair or the PP-OCR pair; writes a results table. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run the multi-seed MergeNet experiment (fashion: CNN <- MLP; ocr: PP-OCR direction classifier "
                + "<- frozen PP-OCRv4 recognizer) and write a markdown table.")
final class ExperimentCommand implements Callable<Integer> {
    @Option(names = "--pair", defaultValue = "fashion", description = "fashion or ocr (default ${DEFAULT-VALUE}).")
    String pair;

    @Option(names = "--data", description = "Fashion-MNIST folder (default ${DEFAULT-VALUE}).")
    Path data = DatasetInstaller.DEFAULT_DIR;

    @Option(names = "--models", description = "ocr: folder with ch_ppocr_mobile_v2.0_cls_infer.onnx and ch_PP-OCRv4_rec_infer.onnx.")
    Path models = Path.of(".cache/ocr-models");

    @Option(names = "--seeds", defaultValue = "5", description = "Number of seeds 0..N-1 (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--modes", split = ",", defaultValue = "alone,kd,mergenet,random-source",
            description = "Modes (default ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(names = "--epochs", defaultValue = "15", description = "Epochs per run (default ${DEFAULT-VALUE}).")
    int epochs;

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
        List<Mode> modeList = new ArrayList<>();
        for (String m : modes) {
            modeList.add(Mode.parse(m));
        }
        long[] seedList = new long[seeds];
        for (int i = 0; i < seeds; i++) {
            seedList[i] = i;
        }
        Files.createDirectories(out);
        DatasetInstaller.ensureFashionMnist(data, System.err);
        boolean ocr = pair.equals("ocr");
        if (!ocr && !pair.equals("fashion")) {
            throw new IllegalArgumentException("--pair " + pair + ": expected fashion or ocr");
        }
        if (ocr && modeList.contains(Mode.KD)) {
            throw new IllegalArgumentException("--pair ocr: kd needs a shared label space (the recognizer's is not "
                    + "Fashion-MNIST's); leave kd out of --modes");
        }
        RunConfig base = adapterOptions.apply(RunConfig.defaults(Mode.ALONE, epochs, 0).withBatchSize(batchSize),
                AdapterConfig.DEFAULT, ocr);
        ExperimentRunner.Plan plan;
        if (ocr) {
            Path cls = models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx");
            Path rec = models.resolve("ch_PP-OCRv4_rec_infer.onnx");
            plan = new ExperimentRunner.Plan("ocr", seed -> new Path[] {cls, rec}, "fashion-mnist:" + data,
                    new InputAdaptation(new int[] {48, 192}, 3, new float[] {0.5f}, new float[] {0.5f}),
                    List.of("auto"), 10, modeList, seedList, base, trainLimit, evalLimit, out,
                    Devices.parse(device));
        } else {
            plan = new ExperimentRunner.Plan("fashion", seed -> FashionModels.writePair(out, seed, 16),
                    "fashion-mnist:" + data, InputAdaptation.NONE, List.of("auto"), null, modeList, seedList, base,
                    trainLimit, evalLimit, out, Devices.parse(device));
        }
        List<ExperimentRunner.Outcome> outcomes = ExperimentRunner.run(plan, System.err);
        Path t = table != null ? table : out.resolve("results.md");
        String command = "./mergenet " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        ExperimentRunner.writeTable(t, ocr ? "PP-OCR direction classifier <- frozen PP-OCRv4 recognizer"
                : "Fashion-MNIST: CNN target <- MLP source", command, outcomes, modeList);
        System.out.print(ExperimentRunner.table(outcomes, modeList));
        System.out.println("table written to " + t);
        return 0;
    }
}
