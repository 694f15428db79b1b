package dev.mergenet.cli;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Defaults;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.report.Verdict;
import dev.mergenet.transfer.training.TrainingHealth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `mergenet transfer`: MergeNet from a source ONNX model into a target ONNX model. */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Train a target model with knowledge from a source model: distillation from the source as a frozen "
                + "teacher (kd, the default, measured to help), MergeNet's parameter adapter, both, or a control mode.")
final class TransferCommand implements Callable<Integer> {
    /** The mode docs/results.md measured to beat training alone; `transfer` and `demo` default to it. */
    static final String RECOMMENDED_MODE = "kd";

    @Option(names = "--source", required = true, paramLabel = "S.onnx", description = "Source model.")
    Path source;

    @Option(names = "--target", required = true, paramLabel = "T.onnx", description = "Target model (the one exported).")
    Path target;

    @Option(names = "--pair", paramLabel = "TARGET=SOURCE",
            description = "ONNX tensor names of a target weight and the source weight it learns from (repeatable).")
    List<String> pairs = new ArrayList<>();

    @Option(names = "--pairs", paramLabel = "auto", description = "auto: pick a default pair and print it.")
    String pairsAuto;

    @Option(names = "--source-data", paramLabel = "SPEC", description = "The co-trained source's own data (default: the target's batches).")
    String sourceData;

    @Option(names = "--source-resize", paramLabel = "HxW", description = "Resize the source's input: for --source-data, or for a frozen teacher in kd modes.")
    String sourceResize;

    @Option(names = "--source-channels", defaultValue = "0", description = "Channel replication of the source's input (--source-data, or a frozen teacher).")
    int sourceChannels;

    @Option(names = "--source-mean", split = ",", description = "Per-channel mean of the source's input (default: the "
            + "target's --mean; --source-resize and --source-channels are not inherited).")
    float[] sourceMean;

    @Option(names = "--source-std", split = ",", description = "Per-channel std of the source's input (default: the "
            + "target's --std).")
    float[] sourceStd;

    @Option(names = "--frozen-source", negatable = true, defaultValue = Defaults.CLI_FROZEN_SOURCE_TEXT,
            fallbackValue = "true",
            description = "The source is pretrained and frozen: a teacher in eval mode for kd, read for its weights by "
                    + "MergeNet (default). --no-frozen-source co-trains it from its current weights, as the released code.")
    boolean frozenSource;

    @Option(names = "--mode", defaultValue = RECOMMENDED_MODE,
            description = "alone, kd, mergenet, mergenet+kd, random-source or random-source+kd (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--compare-alone",
            description = "First train the target alone with the same seed and data order, then print the paired difference.")
    boolean compareAlone;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(names = "--heads", defaultValue = "8", description = "Adapter attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--layers", defaultValue = "2", description = "Stacked knowledge-transfer layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--kd-alpha", defaultValue = Defaults.KD_ALPHA_TEXT, description = "KD mode: weight of the distillation term (default ${DEFAULT-VALUE}).")
    double kdAlpha;

    @Option(names = "--kd-temperature", defaultValue = Defaults.KD_TEMPERATURE_TEXT, description = "KD mode: temperature (default ${DEFAULT-VALUE}).")
    double kdTemperature;

    @Mixin
    TrainingOptions opts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        opts.applyRecipe("scratch", spec.commandLine().getParseResult());
        Mode m = Mode.parse(mode);
        List<String> pairList = new ArrayList<>(pairs);
        if (pairsAuto != null) {
            if (!pairsAuto.equals("auto")) {
                throw new IllegalArgumentException("--pairs " + pairsAuto + ": only 'auto' (use --pair T=S to name pairs)");
            }
            if (!pairList.isEmpty()) {
                throw new IllegalArgumentException("--pairs auto and --pair cannot be combined");
            }
        }
        if (pairList.isEmpty()) {
            pairList.add("auto");
        }
        AdapterConfig adapter = new AdapterConfig(heads, layers, AdapterConfig.DEFAULT.attentionDropout(),
                AdapterConfig.DEFAULT.ffnDropout(), AdapterConfig.DEFAULT.layerNormEps());
        RunConfig cfg = adapterOptions.apply(opts.config(m), adapter, frozenSource).toBuilder()
                .distillation(kdAlpha, kdTemperature).build();
        TransferJob.Request req = opts.request(target, cfg, spec.commandLine().getParseResult())
                .source(source, pairList).sourceData(sourceData)
                .sourceAdaptation(TrainingOptions.adaptation(sourceResize, sourceChannels,
                        sourceMean != null ? sourceMean : opts.mean, sourceStd != null ? sourceStd : opts.std))
                .compareAlone(compareAlone).build();
        TransferJob.Result r = TransferJob.run(req, Devices.parse(opts.device), System.err);
        Summary.print(r);
        if (r.aloneTestAccuracy() != null) {
            System.out.printf("compared with alone (same seed, data and order): %s %.2f%% vs alone %.2f%% test = "
                    + "%+.2f pp (one seed: run `mergenet experiment` for a confidence interval)%n", m.cliName(),
                    100 * r.keptTestAccuracy(), 100 * r.aloneTestAccuracy(),
                    100 * (r.keptTestAccuracy() - r.aloneTestAccuracy()));
            boolean armChance = TrainingHealth.atChance(r.keptTestAccuracy(), r.testSamples(), r.classes());
            boolean aloneChance = TrainingHealth.atChance(r.aloneTestAccuracy(), r.testSamples(), r.classes());
            System.out.println(Verdict.of("alone", aloneChance, List.of(new Verdict.Arm(m.cliName(),
                    100 * (r.keptTestAccuracy() - r.aloneTestAccuracy()), Double.NaN, armChance)), 1));
        }
        return 0;
    }
}
