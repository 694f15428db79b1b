package dev.mergenet.cli;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.train.Mode;
import dev.mergenet.transfer.train.RunConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** `mergenet transfer`: MergeNet from a source ONNX model into a target ONNX model. */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Train a target model with MergeNet knowledge transfer from a source model (or a baseline mode).")
final class TransferCommand implements Callable<Integer> {
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

    @Option(names = "--source-resize", paramLabel = "HxW", description = "Resize for --source-data.")
    String sourceResize;

    @Option(names = "--source-channels", defaultValue = "0", description = "Channel replication for --source-data.")
    int sourceChannels;

    @Option(names = "--frozen-source", description = "Read the source's weights only (it never trains or runs).")
    boolean frozenSource;

    @Option(names = "--mode", defaultValue = "mergenet", description = "alone, kd, mergenet or random-source (default ${DEFAULT-VALUE}).")
    String mode;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(names = "--heads", defaultValue = "8", description = "Adapter attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--layers", defaultValue = "2", description = "Stacked knowledge-transfer layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--kd-alpha", defaultValue = "0.9", description = "KD mode: weight of the distillation term (default ${DEFAULT-VALUE}).")
    double kdAlpha;

    @Option(names = "--kd-temperature", defaultValue = "4", description = "KD mode: temperature (default ${DEFAULT-VALUE}).")
    double kdTemperature;

    @Mixin
    TrainingOptions opts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
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
        RunConfig cfg = adapterOptions.apply(opts.config(m), adapter, frozenSource).withKd(kdAlpha, kdTemperature);
        TransferJob.Request req = new TransferJob.Request(target, source, pairList, opts.data, sourceData,
                opts.adaptation(), TrainingOptions.adaptation(sourceResize, sourceChannels, opts.mean, opts.std),
                opts.validation, opts.trainLimit, opts.evalLimit, cfg, opts.numClasses, opts.out, opts.report, opts.plot, opts.force,
                "mergenet " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                opts.exportSettings());
        TransferJob.Result r = TransferJob.run(req, Devices.parse(opts.device), System.err);
        Summary.print(r);
        return 0;
    }
}
