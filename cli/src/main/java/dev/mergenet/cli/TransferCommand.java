package dev.mergenet.cli;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.app.DefaultRecipe;
import dev.mergenet.transfer.app.InitialWeights;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Defaults;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Teacher;
import dev.mergenet.transfer.distill.KdLoss;
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
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** `mergenet transfer`: MergeNet from a source ONNX model into a target ONNX model. */
@Command(
        name = "transfer",
        mixinStandardHelpOptions = true,
        description =
                "Train a target model with knowledge from a source model: distillation from the source as a frozen "
                        + "teacher (kd, measured to help), MergeNet's parameter adapter, both, or a control mode. With "
                        + "neither --mode nor --init, the default recipe: kd plus weight selection (--init selection) "
                        + "when the source's layers map onto the target's, kd alone otherwise; it prints which and why.")
final class TransferCommand implements Callable<Integer> {
    /**
     * The mode docs/results.md measured to beat training alone; `demo` defaults to it, `transfer` uses it with --init
     * given alone (with neither --mode nor --init, {@link DefaultRecipe} decides).
     */
    static final String RECOMMENDED_MODE = "kd";

    @Option(
            names = "--source",
            required = true,
            paramLabel = "S.onnx",
            description = "Source model. In --mode kd it"
                    + " may be given several times: the teachers' logits are averaged (they must score the same classes),"
                    + " or weighted by --teacher-weights.")
    List<Path> sources;

    @Option(
            names = "--teacher-weights",
            split = ",",
            paramLabel = "W1,W2",
            description = "One positive weight per --source teacher, in order, e.g. 0.7,0.3: the teachers' logits are"
                    + " averaged with these weights, normalized to sum 1 (default: equal).")
    List<Double> teacherWeights = new ArrayList<>();

    @Option(
            names = "--target",
            required = true,
            paramLabel = "T.onnx",
            description = "Target model (the one exported).")
    Path target;

    @Option(
            names = "--pair",
            paramLabel = "TARGET=SOURCE",
            description = "ONNX tensor names of a target weight and the source weight it learns from (repeatable).")
    List<String> pairs = new ArrayList<>();

    @Option(names = "--pairs", paramLabel = "auto", description = "auto: pick a default pair and print it.")
    String pairsAuto;

    @Option(
            names = "--source-data",
            paramLabel = "SPEC",
            description = "The co-trained source's own data (default: the target's batches).")
    String sourceData;

    @Option(
            names = "--source-resize",
            paramLabel = "HxW",
            description = "Resize the source's input: for --source-data, or for a frozen teacher in kd modes.")
    String sourceResize;

    @Option(
            names = "--source-channels",
            defaultValue = "0",
            description = "Channel replication of the source's input (--source-data, or a frozen teacher).")
    int sourceChannels;

    @Option(
            names = "--source-mean",
            split = ",",
            description = "Per-channel mean of the source's input (default: the "
                    + "target's --mean; --source-resize and --source-channels are not inherited).")
    float[] sourceMean;

    @Option(
            names = "--source-std",
            split = ",",
            description = "Per-channel std of the source's input (default: the " + "target's --std).")
    float[] sourceStd;

    @Option(
            names = "--frozen-source",
            negatable = true,
            defaultValue = Defaults.CLI_FROZEN_SOURCE_TEXT,
            fallbackValue = "true",
            description =
                    "The source is pretrained and frozen: a teacher in eval mode for kd, read for its weights by "
                            + "MergeNet (default). --no-frozen-source co-trains it from its current weights, as the released code.")
    boolean frozenSource;

    @Option(
            names = "--mode",
            defaultValue = RECOMMENDED_MODE,
            description =
                    "alone, kd, mergenet, mergenet+kd, random-source or random-source+kd (default ${DEFAULT-VALUE}; "
                            + "with --init not given either, the default recipe, see above).")
    String mode;

    @Option(
            names = "--compare-alone",
            description =
                    "First train the target alone with the same seed and data order, then print the paired difference.")
    boolean compareAlone;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(
            names = "--heads",
            defaultValue = Defaults.HEADS_TEXT,
            description = "Adapter attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(
            names = "--layers",
            defaultValue = Defaults.LAYERS_TEXT,
            description = "Stacked knowledge-transfer layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(
            names = "--kd-alpha",
            defaultValue = Defaults.KD_ALPHA_TEXT,
            description = "KD mode: weight of the distillation term (default ${DEFAULT-VALUE}).")
    double kdAlpha;

    @Option(
            names = "--kd-temperature",
            paramLabel = "T",
            description = "KD mode: temperature (default: the loss's," + " " + Defaults.KD_TEMPERATURE_TEXT
                    + " for hinton and dkd, 2 for zscore, 1 for dist).")
    Double kdTemperature;

    @Option(
            names = "--kd-loss",
            defaultValue = "hinton",
            paramLabel = "hinton|dkd|zscore|dist",
            description = "KD mode: the distillation loss (default ${DEFAULT-VALUE}; the default recipe uses "
                    + Defaults.BEST_KD_LOSS_TEXT + "); see docs/distillation.md.")
    String kdLoss;

    @Option(
            names = "--teacher",
            defaultValue = Defaults.TEACHER_TEXT,
            paramLabel = "trained|random",
            description = "Distilling modes: learn from the trained source(s) (default ${DEFAULT-VALUE}), or, as the "
                    + "control, from the same models with every weight re-initialized from --seed as a fresh model "
                    + "(running statistics reset): the same loss from an untrained teacher.")
    String teacher;

    @Option(
            names = "--kd-warmup",
            defaultValue = Defaults.KD_WARMUP_TEXT,
            paramLabel = "EPOCHS",
            description = "Distilling modes: ramp the distillation term's weight linearly from 0 to 1 over this many"
                    + " epochs, step by step, as DKD's reference code does (20 of 240 epochs there); the"
                    + " cross-entropy keeps its weight. 0: off (default ${DEFAULT-VALUE}).")
    double kdWarmup;

    @Option(names = "--dkd-alpha", defaultValue = "1", description = "dkd: weight of TCKD (default ${DEFAULT-VALUE}).")
    double dkdAlpha;

    @Option(names = "--dkd-beta", defaultValue = "8", description = "dkd: weight of NCKD (default ${DEFAULT-VALUE}).")
    double dkdBeta;

    @Option(
            names = "--dist-beta",
            defaultValue = "1",
            description = "dist: weight of the inter-class relation" + " (default ${DEFAULT-VALUE}).")
    double distBeta;

    @Option(
            names = "--dist-gamma",
            defaultValue = "1",
            description = "dist: weight of the intra-class relation" + " (default ${DEFAULT-VALUE}).")
    double distGamma;

    @Option(
            names = "--init",
            defaultValue = "target",
            paramLabel = "KIND",
            description = "The target's initial weights: target (its own), selection (weight selection from --source,"
                    + " see `mergenet layers`), selection-permuted or selection-reinit (its controls), compactors"
                    + " (selection, then the mapped kernels generated as C_r*W_s*C_c by compactors learned at"
                    + " --adapter-lr during --compact-until of the steps, then merged) or compactors-permuted (its"
                    + " control); default ${DEFAULT-VALUE} (with --mode not given either, the default recipe picks"
                    + " selection when the layers map).")
    String init;

    @Mixin
    TrainingOptions opts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ParseResult parsed = spec.commandLine().getParseResult();
        opts.applyRecipe("scratch", parsed);
        Mode m = Mode.parse(mode);
        InitialWeights.Init initKind = InitialWeights.Init.parse(init);
        KdLoss.Kind lossKind = KdLoss.Kind.parse(kdLoss);
        // an explicit --mode or --init is obeyed as given; with neither, the default recipe decides
        if (!parsed.hasMatchedOption("--mode") && !parsed.hasMatchedOption("--init")) {
            DefaultRecipe recipe = DefaultRecipe.resolve(sources.get(0), target);
            if (parsed.hasMatchedOption("--kd-loss")) {
                recipe = recipe.withLoss(lossKind);
            }
            System.err.println(recipe.line());
            m = recipe.mode();
            initKind = recipe.init();
            lossKind = recipe.loss();
            if (!parsed.hasMatchedOption("--kd-alpha")) {
                kdAlpha = recipe.alpha();
            }
        }
        List<String> pairList = new ArrayList<>(pairs);
        if (pairsAuto != null) {
            if (!pairsAuto.equals("auto")) {
                throw new IllegalArgumentException(
                        "--pairs " + pairsAuto + ": only 'auto' (use --pair T=S to name pairs)");
            }
            if (!pairList.isEmpty()) {
                throw new IllegalArgumentException("--pairs auto and --pair cannot be combined");
            }
        }
        if (pairList.isEmpty()) {
            pairList.add("auto");
        }
        AdapterConfig adapter = new AdapterConfig(
                heads,
                layers,
                AdapterConfig.DEFAULT.attentionDropout(),
                AdapterConfig.DEFAULT.ffnDropout(),
                AdapterConfig.DEFAULT.layerNormEps());
        RunConfig cfg = adapterOptions.apply(opts.config(m), adapter, frozenSource).toBuilder()
                .distillation(kdAlpha, kdLoss(lossKind))
                .teacher(Teacher.parse(teacher))
                .kdWarmup(kdWarmup)
                .build();
        TransferJob.Request req = opts.request(target, cfg, spec.commandLine().getParseResult())
                .source(sources.get(0), pairList)
                .moreTeachers(sources.subList(1, sources.size()))
                .teacherWeights(teacherWeights)
                .sourceData(sourceData)
                .sourceAdaptation(TrainingOptions.adaptation(
                        sourceResize,
                        sourceChannels,
                        sourceMean != null ? sourceMean : opts.mean,
                        sourceStd != null ? sourceStd : opts.std))
                .compareAlone(compareAlone)
                .init(initKind)
                .build();
        TransferJob.Result r = TransferJob.run(req, Devices.parse(opts.device), System.err);
        Summary.print(r);
        if (r.aloneTestAccuracy() != null) {
            System.out.printf(
                    "compared with alone (same seed, data and order): %s %.2f%% vs alone %.2f%% test = "
                            + "%+.2f pp (one seed: run `mergenet experiment` for a confidence interval)%n",
                    m.cliName(),
                    100 * r.keptTestAccuracy(),
                    100 * r.aloneTestAccuracy(),
                    100 * (r.keptTestAccuracy() - r.aloneTestAccuracy()));
            boolean armChance = TrainingHealth.atChance(r.keptTestAccuracy(), r.testSamples(), r.classes());
            boolean aloneChance = TrainingHealth.atChance(r.aloneTestAccuracy(), r.testSamples(), r.classes());
            System.out.println(Verdict.of(
                    "alone",
                    aloneChance,
                    List.of(new Verdict.Arm(
                            m.cliName(), 100 * (r.keptTestAccuracy() - r.aloneTestAccuracy()), Double.NaN, armChance)),
                    1));
        }
        return 0;
    }

    private KdLoss kdLoss(KdLoss.Kind kind) {
        return KdLoss.of(kind, kdTemperature, dkdAlpha, dkdBeta, distBeta, distGamma);
    }
}
