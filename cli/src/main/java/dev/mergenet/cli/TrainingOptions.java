package dev.mergenet.cli;

import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Defaults;
import dev.mergenet.transfer.config.Keep;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.OptimizerKind;
import dev.mergenet.transfer.config.Recipe;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.RunControl;
import dev.mergenet.transfer.config.Schedule;
import dev.mergenet.transfer.data.InputAdaptation;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** Options shared by `train` and `transfer`: data, optimiser, schedule, checkpoints, outputs. */
final class TrainingOptions {
    @Option(
            names = "--data",
            required = true,
            paramLabel = "SPEC",
            description = "fashion-mnist:DIR, mnist:DIR, folder:DIR or csv:FILE[#label=COLUMN].")
    String data;

    @Option(names = "--epochs", required = true, description = "Number of epochs.")
    int epochs;

    @Option(names = "--out", paramLabel = "OUT.onnx", description = "Write the trained model here (with lineage).")
    Path out;

    @Option(
            names = "--num-classes",
            paramLabel = "N",
            description = "Replace the target's classifier head with a fresh one for N classes before training.")
    Integer numClasses;

    @Option(names = "--force", description = "Replace an existing --out file (never an input).")
    boolean force;

    @Option(
            names = "--batch-size",
            defaultValue = Defaults.BATCH_SIZE_TEXT,
            description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--optimizer",
            defaultValue = Defaults.OPTIMIZER_TEXT,
            description = "sgd (with momentum) or adamw (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", defaultValue = Defaults.LR_TEXT, description = "Learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(
            names = "--momentum",
            defaultValue = Defaults.MOMENTUM_TEXT,
            description = "SGD momentum (default ${DEFAULT-VALUE}).")
    double momentum;

    @Option(
            names = "--weight-decay",
            defaultValue = Defaults.WEIGHT_DECAY_TEXT,
            description = "Weight decay (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(
            names = "--schedule",
            defaultValue = Defaults.SCHEDULE_TEXT,
            description =
                    "step (x0.2 at 50%% and 75%% of the epochs), cosine, warmup-cosine (5%% linear warm-up, per step) "
                            + "or constant (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(
            names = "--recipe",
            paramLabel = "finetune|scratch",
            description = "finetune: SGD lr 0.05, momentum 0.9, warmup-cosine, for a pretrained model (the default of "
                    + "train); scratch: SGD lr 0.1, step schedule, the released recipe (the default of transfer). "
                    + "--optimizer, --lr and --schedule given explicitly win.")
    String recipe;

    @Option(
            names = "--validation",
            defaultValue = "-1",
            description = "Validation samples drawn from the training pool (default: 1/12, i.e. 5k of 60k).")
    int validation;

    @Option(
            names = "--train-limit",
            defaultValue = "0",
            description = "Use a fixed subset of this many training samples.")
    int trainLimit;

    @Option(
            names = "--eval-limit",
            defaultValue = "0",
            description = "Evaluate on at most this many validation/test samples.")
    int evalLimit;

    @Option(names = "--resize", paramLabel = "HxW", description = "Resize images to H x W (bilinear).")
    String resize;

    @Option(names = "--channels", defaultValue = "0", description = "Replicate a single channel to N channels.")
    int channels;

    @Option(names = "--mean", split = ",", description = "Per-channel mean subtracted after scaling to [0,1].")
    float[] mean;

    @Option(names = "--std", split = ",", description = "Per-channel std divided after the mean.")
    float[] std;

    @Option(
            names = "--seed",
            defaultValue = Defaults.SEED_TEXT,
            description = "Seed of data order, dropout and adapter init (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu[:N] or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description = "Checkpoint written after every epoch (default: OUT.onnx.ckpt).")
    Path checkpoint;

    @Option(
            names = "--resume",
            description = "Continue from the checkpoint of an interrupted run with the same settings.")
    boolean resume;

    @Option(names = "--report", paramLabel = "RUN.json", description = "Write the per-epoch JSON report.")
    Path report;

    @Option(names = "--plot", paramLabel = "RUN.png", description = "Write a PNG of the loss and accuracy curves.")
    Path plot;

    @Option(
            names = "--keep-tied",
            split = ",",
            paramLabel = "NAME",
            description = "Keep these Identity-aliased initializers tied to the tensor they alias (true weight tying); "
                    + "every other value-merged initializer gets its own tensor at import, as `inspect` lists.")
    Set<String> keepTied = new HashSet<>();

    @Option(
            names = "--keep",
            defaultValue = Defaults.KEEP_TEXT,
            paramLabel = "best|last",
            description =
                    "Export the weights of the best-validation epoch or of the last epoch (default ${DEFAULT-VALUE}).")
    String keep;

    @Option(
            names = "--patience",
            defaultValue = Defaults.PATIENCE_TEXT,
            paramLabel = "N",
            description =
                    "Stop after N epochs without a better validation accuracy; 0: never (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(
            names = "--max-loss-ratio",
            defaultValue = Defaults.MAX_LOSS_RATIO_TEXT,
            paramLabel = "K",
            description = "Stop (and export nothing) when the training loss grows to K x its initial value; 0: never "
                    + "(default ${DEFAULT-VALUE}).")
    double maxLossRatio;

    // ---- how --out is written (issue 9: one export contract) ----
    @Option(
            names = "--embed-preprocessing",
            description = "Put the input adaptation (--resize, --channels, --mean/--std) into the exported graph, so"
                    + " it takes raw images scaled to [0,1] in the data's own channels.")
    boolean embedPreprocessing;

    @Option(
            names = "--precision",
            defaultValue = "fp32",
            paramLabel = "fp32|fp16",
            description = "Precision of the exported --out model (default ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--external-data", description = "Keep the exported model's tensors in OUT.onnx.data.")
    boolean externalData;

    // ---- normalization (issue 18) ----
    @Option(
            names = "--restore-norm",
            description = "Put a BatchNormalization back after each Conv an export folded one into (inspect warns about"
                    + " such files), the identity on the training data at step 0, and train it.")
    boolean restoreNorm;

    @Option(
            names = "--fold-norm",
            description = "With --restore-norm: fold the restored BatchNormalizations into their Convs in --out "
                    + "(default: keep them).")
    boolean foldNorm;

    @Option(
            names = "--precise-bn",
            defaultValue = "auto",
            paramLabel = "auto|on|off",
            description = "Recompute the BatchNorm running statistics over training batches before each validation "
                    + "(and so before export), as PyTorch's precise BN does; auto: where a BatchNorm's momentum is "
                    + "PyTorch's 0.05 or less (default ${DEFAULT-VALUE}).")
    String preciseBn;

    TransferJob.Normalization normalization() {
        TransferJob.Normalization.PreciseBn p = switch (preciseBn.toLowerCase(Locale.ROOT)) {
            case "auto" -> TransferJob.Normalization.PreciseBn.AUTO;
            case "on" -> TransferJob.Normalization.PreciseBn.ON;
            case "off" -> TransferJob.Normalization.PreciseBn.OFF;
            default -> throw new IllegalArgumentException("--precise-bn " + preciseBn + ": expected auto, on or off");
        };
        return new TransferJob.Normalization(restoreNorm, foldNorm, p);
    }

    TransferJob.ExportSettings exportSettings() {
        return new TransferJob.ExportSettings(embedPreprocessing, Precision.parse(precision), externalData);
    }

    InputAdaptation adaptation() {
        return adaptation(resize, channels, mean, std);
    }

    static InputAdaptation adaptation(String resize, int channels, float[] mean, float[] std) {
        int[] hw = null;
        if (resize != null) {
            String[] p = resize.toLowerCase().split("x");
            try {
                hw = new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--resize " + resize + ": expected HxW, e.g. 32x32");
            }
        }
        return new InputAdaptation(hw, channels, mean, std);
    }

    Path checkpointPath() {
        if (checkpoint != null) {
            return checkpoint;
        }
        return out == null ? null : out.resolveSibling(out.getFileName() + ".ckpt");
    }

    /** Applies --recipe (or the command's default recipe) to the optimiser options the user did not set. */
    void applyRecipe(String defaultRecipe, ParseResult parsed) {
        Recipe r = Recipe.parse(recipe != null ? recipe : defaultRecipe);
        if (!parsed.hasMatchedOption("--lr")) {
            lr = r.lr();
        }
        if (!parsed.hasMatchedOption("--schedule")) {
            schedule = r.schedule().cliName();
        }
    }

    /** The run's settings from these options (the adapter's and distillation's stay at their defaults). */
    RunConfig config(Mode mode) {
        if (resume && checkpointPath() == null) {
            throw new IllegalArgumentException("--resume needs --checkpoint or --out");
        }
        OptimizerKind opt = OptimizerKind.parse(optimizer);
        Schedule sched = Schedule.parse(schedule);
        return RunConfig.builder(mode)
                .training(t -> t.epochs(epochs)
                        .seed(seed)
                        .batchSize(batchSize)
                        .optimizer(opt)
                        .lr(lr)
                        .momentum(momentum)
                        .weightDecay(weightDecay)
                        .schedule(sched))
                .control(c -> new RunControl(Keep.parse(keep), patience, maxLossRatio, checkpointPath(), resume))
                .build();
    }

    /** The job's request with these options' data, input adaptation, limits, outputs and export settings. */
    /** The command as the user invoked it: the launcher script passes its own path ("./mergenet"). */
    static String launcher() {
        return System.getProperty("mergenet.launcher", "mergenet");
    }

    TransferJob.Request.Builder request(Path model, RunConfig config, ParseResult parsed) {
        return TransferJob.Request.builder(model, data, config)
                .adaptation(adaptation())
                .limits(validation, trainLimit, evalLimit)
                .numClasses(numClasses)
                .outputs(out, report, plot)
                .force(force)
                .commandLine(launcher() + " " + String.join(" ", parsed.originalArgs()))
                .export(exportSettings())
                .keepTied(keepTied)
                .normalization(normalization());
    }
}
