package dev.mergenet.sweep;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.TrainingCheckpoint;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.app.DefaultRecipe;
import dev.mergenet.transfer.app.InitialWeights;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Defaults;
import dev.mergenet.transfer.config.Generation;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.OptimizerKind;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Schedule;
import dev.mergenet.transfer.config.Teacher;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.distill.KdLoss;
import dev.mergenet.transfer.report.RunReport;
import dev.mergenet.transfer.training.EpochCsv;
import dev.mergenet.transfer.training.EpochRecord;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The sweep's one seam to the training code: a {@link TrialSpec} becomes the {@link TransferJob} call that
 * `mergenet transfer` makes, with its per-epoch checkpoint and resume on. Nothing else in this module imports
 * the transfer module, so a change of the job's request is adapted here only.
 */
public final class TrialRunner {
    /** What a finished job hands back: its summary numbers and per-epoch curves. */
    public record Outcome(
            double finalTest,
            double testAtBestVal,
            double bestVal,
            double secondsPerEpoch,
            double adapterShare,
            double[] valCurve,
            double[] testCurve,
            int resumedFromEpoch,
            int testSamples,
            int classes) {}

    /** Every setting a trial's params may hold, with the value `mergenet experiment` used before sweeps. */
    public static final Map<String, String> DEFAULTS = defaults();

    /** Settings only the adapter modes read (a grid over them is not run for other arms). */
    private static final Set<String> ADAPTER_KEYS = Set.of(
            "cycle", "adapter-lr", "rank", "transfer-until", "generation", "gate-lr", "max-adapter-ratio", "pairs");
    /** Settings `--init compactors` reads in any mode (the compactors' learning rate and phase). */
    private static final Set<String> COMPACTOR_KEYS = Set.of("adapter-lr", "compact-until");
    /** Settings only the distilling modes read. */
    private static final Set<String> KD_KEYS = Set.of("kd-alpha", "kd-temperature", "kd-loss", "teacher", "kd-warmup");
    /** Settings the default arm chooses itself (see {@link DefaultRecipe}). */
    private static final Set<String> DEFAULT_ARM_KEYS = Set.of("init", "kd-loss");
    /** The arm that runs `transfer`'s default recipe: kd with the best loss, plus selection when the layers map. */
    public static final String DEFAULT_ARM = "default";
    /** Settings only one distillation loss reads. */
    private static final Map<String, KdLoss.Kind> LOSS_KEYS = Map.of(
            "dkd-alpha", KdLoss.Kind.DKD,
            "dkd-beta", KdLoss.Kind.DKD,
            "dist-beta", KdLoss.Kind.DIST,
            "dist-gamma", KdLoss.Kind.DIST);

    /** DJL's PyTorch engine allows one gradient collector per JVM: trials in one JVM train one at a time. */
    private static final Object TRAINING = new Object();

    private TrialRunner() {}

    /** The library's defaults ({@link Defaults}, the text `transfer --help` shows) where the sweep uses the same. */
    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("epochs", "10"); // the experiment's own (transfer has no default epochs)
        d.put("batch-size", Defaults.BATCH_SIZE_TEXT);
        d.put("optimizer", Defaults.OPTIMIZER_TEXT);
        d.put("lr", "0.05"); // the experiments' (docs/results.md: targets at 0.05; P1 and OCR pass the recipe's 0.1)
        d.put("momentum", Defaults.MOMENTUM_TEXT);
        d.put("schedule", Defaults.SCHEDULE_TEXT);
        d.put("weight-decay", Defaults.WEIGHT_DECAY_TEXT);
        d.put("cycle", Defaults.CYCLE_TEXT);
        d.put("adapter-lr", Defaults.ADAPTER_LR_TEXT);
        d.put("rank", Defaults.RANK_TEXT);
        d.put("frozen-source", Defaults.CLI_FROZEN_SOURCE_TEXT);
        d.put("transfer-until", Defaults.TRANSFER_UNTIL_TEXT);
        d.put("compact-until", Defaults.COMPACT_UNTIL_TEXT);
        d.put("generation", Defaults.GENERATION_TEXT);
        d.put("gate-lr", Defaults.GATE_LR_TEXT);
        d.put("max-adapter-ratio", Defaults.MAX_ADAPTER_RATIO_TEXT);
        d.put("kd-alpha", Defaults.KD_ALPHA_TEXT);
        d.put("kd-temperature", ""); // empty: the loss's own (4 for hinton and dkd, 2 for zscore, 1 for dist)
        d.put("kd-loss", "hinton");
        d.put("dkd-alpha", "1");
        d.put("dkd-beta", "8");
        d.put("dist-beta", "1");
        d.put("dist-gamma", "1");
        d.put("init", "target");
        d.put("teacher", "trained");
        d.put("kd-warmup", "0");
        d.put("pairs", "auto");
        d.put("num-classes", "");
        d.put("resize", "");
        d.put("channels", "0");
        d.put("mean", "");
        d.put("std", "");
        d.put("validation", "-1");
        return Collections.unmodifiableMap(d);
    }

    /**
     * An arm as `--arms` spells it: a mode, an adapter output (":gated" or ":released") for adapter modes, and
     * settings fixed for this arm ("@key=value", repeatable), e.g. "kd@init=selection@kd-loss=dkd"; or "default",
     * `transfer`'s default recipe, resolved per trial (a kd arm whose init and loss {@link DefaultRecipe} picks).
     */
    record Arm(Mode mode, String output, Map<String, String> settings, boolean recipe) {
        static Arm parse(String arm) {
            String[] parts = arm.split("@", -1);
            String head = parts[0];
            int colon = head.indexOf(':');
            boolean recipe = head.equals(DEFAULT_ARM);
            Mode mode = recipe ? Mode.KD : parseMode(colon < 0 ? head : head.substring(0, colon), arm);
            Map<String, String> settings = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0 || eq == parts[i].length() - 1) {
                    throw new MergeNetException(
                            "--arms " + arm + ": expected MODE[:OUTPUT][@KEY=VALUE...], e.g. kd@init=selection");
                }
                String key = parts[i].substring(0, eq);
                checkKey(key);
                if (settings.put(key, parts[i].substring(eq + 1)) != null) {
                    throw new MergeNetException("--arms " + arm + ": " + key + " given twice");
                }
                if (recipe && DEFAULT_ARM_KEYS.contains(key)) {
                    throw new MergeNetException("--arms " + arm + ": the default arm picks " + key + " itself; spell"
                            + " the arm as kd@init=...@kd-loss=... to fix it");
                }
            }
            return new Arm(mode, colon < 0 ? null : head.substring(colon + 1), settings, recipe);
        }

        /** The setting as this arm runs it: its own value, else the sweep's. */
        String get(String key, Map<String, String> sweep) {
            return settings.getOrDefault(key, sweep.getOrDefault(key, DEFAULTS.get(key)));
        }
    }

    /** Checks an arm's spelling (see {@link Arm}); one clear error otherwise. */
    public static void checkArm(String arm) {
        Arm a = Arm.parse(arm);
        try {
            if (a.output() != null) {
                if (!a.mode().usesAdapter()) {
                    throw new MergeNetException(
                            "--arms " + arm + ": only adapter modes take an output " + "(:released or :gated)");
                }
                AdapterOutput.parse(a.output());
            }
            if (a.settings().containsKey("init")) {
                InitialWeights.Init.parse(a.settings().get("init"));
            }
            if (a.settings().containsKey("kd-loss")) {
                KdLoss.Kind.parse(a.settings().get("kd-loss"));
            }
            if (a.settings().containsKey("teacher")) {
                Teacher.parse(a.settings().get("teacher"));
            }
        } catch (IllegalArgumentException e) {
            throw new MergeNetException("--arms " + arm + ": " + e.getMessage(), e);
        }
    }

    /** Checks a setting's name (a grid or option key). */
    public static void checkKey(String key) {
        if (!DEFAULTS.containsKey(key)) {
            throw new MergeNetException(
                    "--grid " + key + ": unknown setting; expected one of " + String.join(", ", DEFAULTS.keySet()));
        }
    }

    /**
     * Whether this arm's training reads the setting from the sweep (a grid over a setting it ignores, or one the arm
     * fixes itself, is not run for it).
     */
    public static boolean reads(String arm, String key) {
        Arm a = Arm.parse(arm);
        Mode m = a.mode();
        if (a.settings().containsKey(key) || a.recipe() && DEFAULT_ARM_KEYS.contains(key)) {
            return false;
        }
        if (COMPACTOR_KEYS.contains(key)
                && InitialWeights.Init.parse(a.get("init", Map.of())).compacts()) {
            return true;
        }
        if (key.equals("compact-until")) {
            return false;
        }
        if (ADAPTER_KEYS.contains(key)) {
            return m.usesAdapter();
        }
        if (KD_KEYS.contains(key)) {
            return m.distils();
        }
        if (LOSS_KEYS.containsKey(key)) {
            KdLoss.Kind loss = a.recipe() ? Defaults.BEST_KD_LOSS : KdLoss.Kind.parse(a.get("kd-loss", Map.of()));
            return m.distils() && loss == LOSS_KEYS.get(key);
        }
        return !key.equals("frozen-source") || m != Mode.ALONE;
    }

    /** Whether the arm is the baseline of the paired differences: the target trained alone from its own weights. */
    public static boolean isAlone(String arm) {
        return arm.equals(Mode.ALONE.cliName());
    }

    /** Whether the arm reads a source model: every mode but alone, and any arm whose init selects from the source. */
    public static boolean needsSource(String arm) {
        Arm a = Arm.parse(arm);
        return a.recipe() || a.mode().needsSource() || !a.get("init", Map.of()).equals("target");
    }

    /** Whether the arm reports an adapter share. */
    public static boolean usesAdapter(String arm) {
        return Arm.parse(arm).mode().usesAdapter();
    }

    /** The random-source control of an adapter arm with a real source, or null. */
    public static String control(String arm) {
        Arm a = Arm.parse(arm);
        Mode m = a.mode();
        if (!m.usesAdapter() || m.randomSource()) {
            return null;
        }
        int at = arm.indexOf('@');
        String rest = at < 0 ? "" : arm.substring(at);
        String out = a.output() == null ? "" : ":" + a.output();
        return (m.distils() ? Mode.RANDOM_SOURCE_KD : Mode.RANDOM_SOURCE).cliName() + out + rest;
    }

    /**
     * Whether {@code other} is a reference {@code arm} is compared with: alone; kd for a distilling arm; its
     * random-source control; or the same mode and output with exactly one setting changed or left at the sweep's
     * value (e.g. kd@init=selection against kd and against kd@init=selection-permuted). The default arm is compared
     * with alone and kd only.
     */
    public static boolean isReference(String arm, String other) {
        if (arm.equals(other)) {
            return false;
        }
        if (isAlone(other) || other.equals(control(arm))) {
            return true;
        }
        Arm a = Arm.parse(arm);
        Arm o = Arm.parse(other);
        if (other.equals(Mode.KD.cliName()) && a.mode().distils()) {
            return true;
        }
        if (a.recipe() || o.recipe()) {
            return false;
        }
        if (a.mode() != o.mode() || !Objects.equals(a.output(), o.output())) {
            return false;
        }
        Set<String> keys = new HashSet<>(a.settings().keySet());
        keys.addAll(o.settings().keySet());
        long changed = keys.stream()
                .filter(k -> !Objects.equals(a.settings().get(k), o.settings().get(k)))
                .count();
        return changed == 1;
    }

    /** The epoch a checkpoint holds (0 when there is none or it holds no trainer state). */
    public static int checkpointEpoch(Path checkpoint) {
        if (!Files.isRegularFile(checkpoint)) {
            return 0;
        }
        JsonObject trainer = TrainingCheckpoint.header(checkpoint).trainer();
        return trainer == null || !trainer.has("epochsDone")
                ? 0
                : trainer.get("epochsDone").getAsInt();
    }

    /**
     * Runs the trial's job: checkpoint after every epoch at {@code files.checkpoint()}, resumed when one is there;
     * report, CSV, plot and ONNX written by the job under the trial's folder.
     */
    public static Outcome run(TrialSpec spec, TrialFiles files, String device, int threads, PrintStream log) {
        Arm arm = Arm.parse(spec.arm());
        Map<String, String> p = new LinkedHashMap<>(DEFAULTS);
        p.putAll(spec.params());
        p.putAll(arm.settings());
        Mode mode = arm.mode();
        if (arm.recipe()) {
            // the trial runs what `transfer` with neither --mode nor --init runs, resolved for this pair
            if (spec.source() == null) {
                throw new MergeNetException("--arms default: needs a source model");
            }
            DefaultRecipe recipe = DefaultRecipe.resolve(Path.of(spec.source()), Path.of(spec.target()));
            mode = recipe.mode();
            p.put("init", recipe.init().cliName());
            p.put("kd-loss", recipe.loss().cliName());
            if (!arm.settings().containsKey("kd-alpha") && !spec.grid().containsKey("kd-alpha")) {
                // the recipe's weight, as transfer without --kd-alpha; an arm's or a grid's own value wins
                p.put("kd-alpha", Double.toString(recipe.alpha()));
            }
            if (log != null) {
                log.println(recipe.line());
            }
        }
        AdapterOutput output = arm.output() != null ? AdapterOutput.parse(arm.output()) : AdapterOutput.RELEASED;
        int resumedFrom = checkpointEpoch(files.checkpoint());
        boolean resume = resumedFrom > 0;
        RunConfig cfg = RunConfig.builder(mode)
                .teacher(teacher(p.get("teacher")))
                .kdWarmup(number(p, "kd-warmup"))
                .frozenSource(Boolean.parseBoolean(p.get("frozen-source")))
                .training(t -> t.epochs(integer(p, "epochs"))
                        .seed(spec.seed())
                        .batchSize(integer(p, "batch-size"))
                        .optimizer(OptimizerKind.parse(p.get("optimizer")))
                        .lr(number(p, "lr"))
                        .momentum(number(p, "momentum"))
                        .weightDecay(number(p, "weight-decay"))
                        .schedule(Schedule.parse(p.get("schedule"))))
                .distillation(number(p, "kd-alpha"), kdLoss(p))
                .adapter(a -> a.cycle(integer(p, "cycle"))
                        .lr(number(p, "adapter-lr"))
                        .rank(integer(p, "rank"))
                        .transferUntil(number(p, "transfer-until"))
                        .generation(generation(p.get("generation")))
                        .output(output)
                        .gateLr(number(p, "gate-lr"))
                        .maxAdapterRatio(number(p, "max-adapter-ratio"))
                        .compactUntil(number(p, "compact-until")))
                .control(c -> c.withCheckpoint(files.checkpoint(), resume))
                .build();
        if (resumedFrom > 0 && log != null) {
            log.println("resumed from epoch " + resumedFrom + " (" + files.checkpoint() + ")");
        }
        String pairs = p.get("pairs");
        TransferJob.Request.Builder b = TransferJob.Request.builder(Path.of(spec.target()), spec.data(), cfg)
                .adaptation(adaptation(p))
                .limits(integer(p, "validation"), spec.trainLimit(), spec.evalLimit())
                .numClasses(p.get("num-classes").isEmpty() ? null : integer(p, "num-classes"))
                .outputs(files.model(), files.jobReport(), files.plot())
                .force(true)
                .init(init(p.get("init")))
                .commandLine("experiment " + spec.sweep() + " " + spec.id());
        if (spec.source() != null) {
            b.source(Path.of(spec.source()), pairs.isEmpty() ? List.of() : Arrays.asList(pairs.split(",")));
        }
        TransferJob.Request req = b.build();
        TransferJob.Result r;
        synchronized (TRAINING) {
            // autograd recording is per thread and on in a new one; the engine turned it off only in the thread
            // that started it, and the job expects it off outside its gradient collectors
            TorchEngine.engine(); // loads libtorch in a fresh executor JVM
            TorchEngine.setGradMode(false);
            if (threads > 0) {
                TorchEngine.setIntraOpThreads(threads); // trials side by side on one machine do not oversubscribe
            }
            r = TransferJob.run(req, device(device), log);
        }
        JsonObject s = RunReport.summary(r.history());
        List<EpochRecord> h = r.history();
        return new Outcome(
                num(s, "finalTestAccuracy"),
                num(s, "testAccuracyAtBestVal"),
                num(s, "bestValAccuracy"),
                num(s, "secondsPerEpoch"),
                num(s, "adapterShareOfEpoch"),
                h.stream().mapToDouble(e -> e.targetValAccuracy).toArray(),
                h.stream().mapToDouble(e -> e.targetTestAccuracy).toArray(),
                resumedFrom,
                r.testSamples(),
                r.classes());
    }

    /** The per-epoch CSV the job writes beside its report. */
    public static Path csvBeside(Path report) {
        return EpochCsv.besideReport(report);
    }

    /** Whether a failure is the trial's own (bad spec, divergence, an error the job raises): not retried. */
    public static boolean deterministic(Throwable t) {
        return t instanceof MergeNetException || t instanceof IllegalArgumentException;
    }

    private static Mode parseMode(String mode, String arm) {
        try {
            return Mode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new MergeNetException("--arms " + arm + ": " + e.getMessage(), e);
        }
    }

    private static InitialWeights.Init init(String s) {
        try {
            return InitialWeights.Init.parse(s);
        } catch (IllegalArgumentException e) {
            throw new MergeNetException(e.getMessage(), e);
        }
    }

    /** The distillation loss: its kind, its own temperature unless kd-temperature is set, and its weights. */
    private static Teacher teacher(String s) {
        try {
            return Teacher.parse(s);
        } catch (IllegalArgumentException e) {
            throw new MergeNetException(e.getMessage(), e);
        }
    }

    private static KdLoss kdLoss(Map<String, String> p) {
        KdLoss.Kind kind;
        try {
            kind = KdLoss.Kind.parse(p.get("kd-loss"));
        } catch (IllegalArgumentException e) {
            throw new MergeNetException(e.getMessage(), e);
        }
        return KdLoss.of(
                kind,
                p.get("kd-temperature").isEmpty() ? null : number(p, "kd-temperature"),
                number(p, "dkd-alpha"),
                number(p, "dkd-beta"),
                number(p, "dist-beta"),
                number(p, "dist-gamma"));
    }

    private static Device device(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase();
        if (s.equals("auto")) {
            return TorchEngine.gpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.startsWith("gpu")) {
            return Device.gpu(s.equals("gpu") ? 0 : Integer.parseInt(s.substring(4)));
        }
        throw new MergeNetException("--device " + spec + ": expected cpu, gpu, gpu:N or auto");
    }

    private static InputAdaptation adaptation(Map<String, String> p) {
        String resize = p.get("resize");
        int channels = integer(p, "channels");
        float[] mean = floats(p.get("mean"));
        float[] std = floats(p.get("std"));
        if (resize.isEmpty() && channels == 0 && mean == null && std == null) {
            return InputAdaptation.NONE;
        }
        int[] hw = null;
        if (!resize.isEmpty()) {
            String[] s = resize.toLowerCase().split("x");
            try {
                hw = new int[] {Integer.parseInt(s[0]), Integer.parseInt(s[1])};
            } catch (RuntimeException e) {
                throw new MergeNetException("--resize " + resize + ": expected HxW, e.g. 32x32", e);
            }
        }
        return new InputAdaptation(hw, channels, mean, std);
    }

    private static float[] floats(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        String[] parts = s.split("/");
        float[] f = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            f[i] = (float) Double.parseDouble(parts[i]);
        }
        return f;
    }

    private static Generation generation(String g) {
        try {
            return Generation.parse(g);
        } catch (IllegalArgumentException e) {
            throw new MergeNetException("--generation " + g + ": " + e.getMessage(), e);
        }
    }

    private static int integer(Map<String, String> p, String k) {
        try {
            return Integer.parseInt(p.get(k).trim());
        } catch (NumberFormatException e) {
            throw new MergeNetException("--" + k + " " + p.get(k) + ": expected an integer", e);
        }
    }

    private static double number(Map<String, String> p, String k) {
        try {
            return Double.parseDouble(p.get(k).trim());
        } catch (NumberFormatException e) {
            throw new MergeNetException("--" + k + " " + p.get(k) + ": expected a number", e);
        }
    }

    private static double num(JsonObject s, String k) {
        JsonElement v = s.get(k);
        return v == null || v.isJsonNull() ? Double.NaN : v.getAsDouble();
    }
}
