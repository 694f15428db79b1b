package dev.mergenet.transfer.app.experiment;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.io.AtomicFiles;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.report.RunReport;
import dev.mergenet.transfer.training.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seeds × modes of one model pair on one data set, every run through {@link TransferJob} (the same code as
 * `mergenet transfer`), then a markdown table: mean ± std test accuracy per mode (final epoch and at the best
 * validation epoch), the paired per-seed difference to `alone` with a 95% CI, time per epoch and the adapter's
 * share. Selection (best epoch) uses validation only.
 */
public final class ExperimentRunner {
    /** One run's numbers. */
    public record Outcome(Arm arm, long seed, double finalTest, double testAtBestVal, double secondsPerEpoch,
                          double adapterShare) {
        public Mode mode() {
            return arm.mode();
        }
    }

    /**
     * One arm of the experiment: a mode and, for the adapter modes, the adapter's output. Written "mode" or
     * "mode:gated" (e.g. mergenet+kd:gated).
     */
    public record Arm(Mode mode, AdapterOutput output) {
        public static Arm parse(String s) {
            String[] p = s.split(":", 2);
            Mode m = Mode.parse(p[0]);
            AdapterOutput o = p.length > 1 ? AdapterOutput.parse(p[1]) : AdapterOutput.RELEASED;
            if (!m.usesAdapter() && p.length > 1) {
                throw new IllegalArgumentException(s + ": only adapter modes take an output (:released or :gated)");
            }
            return new Arm(m, o);
        }

        public String label() {
            return mode.usesAdapter() ? mode.cliName() + ":" + output.cliName() : mode.cliName();
        }

        /** The random-source control of an adapter arm with a real source (null for every other arm). */
        public Arm control() {
            if (!mode.usesAdapter() || mode.randomSource()) {
                return null;
            }
            return new Arm(mode.distils() ? Mode.RANDOM_SOURCE_KD : Mode.RANDOM_SOURCE, output);
        }
    }

    /** How models are provided per seed: {target, source} files. */
    public interface PairFactory {
        Path[] models(long seed);
    }

    /**
     * @param extraTarget target-side options (pairs, re-head, adaptation) applied to every run
     */
    public record Plan(String name, PairFactory models, String data, InputAdaptation adaptation,
                       InputAdaptation sourceAdaptation, List<String> pairs, Integer numClasses, List<Arm> arms,
                       long[] seeds, RunConfig base, int trainLimit, int evalLimit, Path workDir, Device device) {}

    private ExperimentRunner() {}

    public static List<Outcome> run(Plan plan, PrintStream log) {
        List<Outcome> out = new ArrayList<>();
        try {
            Files.createDirectories(plan.workDir());
        } catch (IOException e) {
            throw new MergeNetException(plan.workDir() + ": cannot create: " + e.getMessage(), e);
        }
        for (long seed : plan.seeds()) {
            Path[] models = plan.models().models(seed);
            for (Arm arm : plan.arms()) {
                Mode mode = arm.mode();
                String tag = arm.label().replace(':', '-').replace('+', '-') + "_s" + seed;
                RunConfig cfg = plan.base().withMode(mode).withSeed(seed).withCheckpoint(null, false).toBuilder()
                        .adapter(a -> a.output(arm.output())).build();
                if (log != null) {
                    log.printf("== %s: %s, seed %d%n", plan.name(), arm.label(), seed);
                }
                TransferJob.Request req = TransferJob.Request.builder(models[0], plan.data(), cfg)
                        .source(models[1], plan.pairs()).adaptation(plan.adaptation())
                        .sourceAdaptation(plan.sourceAdaptation()).limits(-1, plan.trainLimit(), plan.evalLimit())
                        .numClasses(plan.numClasses()).outputs(plan.workDir().resolve(tag + ".onnx"),
                                plan.workDir().resolve(tag + ".json"), plan.workDir().resolve(tag + ".png"))
                        .force(true).commandLine("experiment " + plan.name() + " " + tag).build();
                Path done = plan.workDir().resolve(tag + ".json");
                JsonObject reused = reusable(done, arm);
                if (reused != null) {
                    // a finished run of an interrupted experiment: its report is its outcome
                    if (log != null) {
                        log.println("reusing " + done);
                    }
                    out.add(new Outcome(arm, seed, num(reused, "finalTestAccuracy"),
                            num(reused, "testAccuracyAtBestVal"), num(reused, "secondsPerEpoch"),
                            num(reused, "adapterShareOfEpoch")));
                    continue;
                }
                TransferJob.Result r;
                try {
                    r = TransferJob.run(req, plan.device(), log);
                } catch (TrainingDivergedException e) {
                    // a diverged run is an outcome of the method, not a reason to drop the whole table
                    if (log != null) {
                        log.println("diverged: " + e.getMessage());
                    }
                    out.add(new Outcome(arm, seed, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
                    continue;
                }
                JsonObject s = RunReport.summary(r.history());
                out.add(new Outcome(arm, seed, num(s, "finalTestAccuracy"), num(s, "testAccuracyAtBestVal"),
                        num(s, "secondsPerEpoch"), num(s, "adapterShareOfEpoch")));
            }
        }
        return out;
    }

    /** The summary of a finished run's report for this arm, or null when there is none to reuse. */
    private static JsonObject reusable(Path report, Arm arm) {
        if (!Files.isRegularFile(report)) {
            return null;
        }
        try {
            JsonObject r = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
            JsonObject settings = r.getAsJsonObject("settings");
            boolean same = settings != null && settings.has("mode")
                    && settings.get("mode").getAsString().equals(arm.mode().cliName())
                    && (!arm.mode().usesAdapter() || (settings.has("adapter_output")
                            && settings.get("adapter_output").getAsString().startsWith(arm.output().cliName())));
            return same && r.has("summary") ? r.getAsJsonObject("summary") : null;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: run it again
        }
    }

    private static double num(JsonObject s, String k) {
        return s.get(k) == null || s.get(k).isJsonNull() ? Double.NaN : s.get(k).getAsDouble();
    }

    /** The markdown results table: one row per arm, paired differences to alone and to the arm's control. */
    public static String table(List<Outcome> outcomes, List<Arm> arms) {
        Map<Arm, List<Outcome>> by = new LinkedHashMap<>();
        for (Arm a : arms) {
            by.put(a, new ArrayList<>());
        }
        outcomes.forEach(o -> by.computeIfAbsent(o.arm(), k -> new ArrayList<>()).add(o));
        List<Outcome> alone = by.getOrDefault(new Arm(Mode.ALONE, AdapterOutput.RELEASED), List.of());
        StringBuilder sb = new StringBuilder();
        sb.append("| arm | seeds (diverged) | final test acc (%) | Δ vs alone, 95% CI (pp) | test acc at best val (%) "
                + "| Δ vs alone, 95% CI (pp) | Δ vs random-source control, 95% CI (pp) | s/epoch | adapter share |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<Arm, List<Outcome>> e : by.entrySet()) {
            List<Outcome> all = e.getValue();
            if (all.isEmpty()) {
                continue;
            }
            List<Outcome> runs = all.stream().filter(o -> !Double.isNaN(o.finalTest())).toList();
            int diverged = all.size() - runs.size();
            String label = e.getKey().label();
            if (runs.isEmpty()) {
                sb.append(String.format("| %s | %d (%d) | - | - | - | - | - | - | - |%n", label, all.size(), diverged));
                continue;
            }
            double[] fin = runs.stream().mapToDouble(o -> 100 * o.finalTest()).toArray();
            double[] best = runs.stream().mapToDouble(o -> 100 * o.testAtBestVal()).toArray();
            double[] sec = runs.stream().mapToDouble(Outcome::secondsPerEpoch).toArray();
            double[] share = runs.stream().mapToDouble(Outcome::adapterShare).toArray();
            Arm control = e.getKey().control();
            List<Outcome> controlRuns = control == null ? List.of() : by.getOrDefault(control, List.of());
            sb.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %.1f | %s |%n", label,
                    diverged == 0 ? Integer.toString(all.size()) : all.size() + " (" + diverged + ")",
                    meanStd(fin), diff(runs, alone, true), meanStd(best), diff(runs, alone, false),
                    controlRuns.isEmpty() ? "-" : diff(runs, controlRuns, false),
                    PairedStats.mean(sec), e.getKey().mode().usesAdapter()
                            ? String.format("%.0f%%", 100 * PairedStats.mean(share)) : "-"));
        }
        return sb.toString();
    }

    private static String meanStd(double[] v) {
        double sd = PairedStats.std(v);
        return Double.isNaN(sd) ? String.format("%.2f", PairedStats.mean(v))
                : String.format("%.2f ± %.2f", PairedStats.mean(v), sd);
    }

    private static String diff(List<Outcome> runs, List<Outcome> alone, boolean fin) {
        if (runs.isEmpty() || alone.isEmpty() || runs.get(0).arm().equals(alone.get(0).arm())) {
            return "-";
        }
        List<double[]> pairs = new ArrayList<>();
        for (Outcome o : runs) {
            for (Outcome a : alone) {
                if (a.seed() == o.seed() && !Double.isNaN(o.finalTest()) && !Double.isNaN(a.finalTest())) {
                    pairs.add(new double[] {100 * (fin ? o.finalTest() : o.testAtBestVal()),
                        100 * (fin ? a.finalTest() : a.testAtBestVal())});
                }
            }
        }
        if (pairs.isEmpty()) {
            return "-";
        }
        double[] a = pairs.stream().mapToDouble(p -> p[0]).toArray();
        double[] b = pairs.stream().mapToDouble(p -> p[1]).toArray();
        double[] d = PairedStats.pairedDifference(a, b);
        return Double.isNaN(d[1]) ? String.format("%+.2f (n=1)", d[0])
                : String.format("%+.2f [%+.2f, %+.2f]", d[0], d[0] - d[1], d[0] + d[1]);
    }

    /**
     * The one-line verdict over the arms' paired final-test differences to alone: which arm to use and by how much,
     * that the seeds cannot tell, or that the arms are at chance ({@code testSamples} test samples, {@code classes}).
     */
    public static String verdict(List<Outcome> outcomes, List<Arm> arms, int testSamples, int classes) {
        Arm aloneArm = new Arm(Mode.ALONE, AdapterOutput.RELEASED);
        List<Outcome> alone = outcomes.stream().filter(o -> o.arm().equals(aloneArm) && !Double.isNaN(o.finalTest()))
                .toList();
        if (alone.isEmpty()) {
            return "verdict: no alone arm to compare with";
        }
        boolean aloneChance = dev.mergenet.transfer.training.TrainingHealth.atChance(
                alone.stream().mapToDouble(Outcome::finalTest).average().orElse(Double.NaN), testSamples, classes);
        List<dev.mergenet.transfer.report.Verdict.Arm> compared = new ArrayList<>();
        int seeds = 0;
        for (Arm a : arms) {
            if (a.equals(aloneArm)) {
                continue;
            }
            List<double[]> pairs = new ArrayList<>();
            for (Outcome o : outcomes) {
                for (Outcome b : alone) {
                    if (o.arm().equals(a) && b.seed() == o.seed() && !Double.isNaN(o.finalTest())) {
                        pairs.add(new double[] {100 * o.finalTest(), 100 * b.finalTest()});
                    }
                }
            }
            if (pairs.isEmpty()) {
                continue;
            }
            double[] d = PairedStats.pairedDifference(pairs.stream().mapToDouble(p -> p[0]).toArray(),
                    pairs.stream().mapToDouble(p -> p[1]).toArray());
            double mean = pairs.stream().mapToDouble(p -> p[0] / 100).average().orElse(Double.NaN);
            compared.add(new dev.mergenet.transfer.report.Verdict.Arm(a.label(), d[0], d[1],
                    dev.mergenet.transfer.training.TrainingHealth.atChance(mean, testSamples, classes)));
            seeds = Math.max(seeds, pairs.size());
        }
        return dev.mergenet.transfer.report.Verdict.of("alone", aloneChance, compared, Math.max(1, seeds));
    }

    /** Writes the table and each run's numbers as TSV beside it. */
    public static void writeTable(Path file, String title, String command, List<Outcome> outcomes, List<Arm> arms) {
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(title).append("\n\n");
        sb.append("Command: `").append(command).append("`\n\n");
        sb.append(table(outcomes, arms)).append("\n");
        sb.append("Per run (arm, seed, final test acc, test acc at best val, s/epoch, adapter share):\n\n```\n");
        for (Outcome o : outcomes) {
            sb.append(String.format("%s\t%d\t%.4f\t%.4f\t%.1f\t%.3f%n", o.arm().label(), o.seed(), o.finalTest(),
                    o.testAtBestVal(), o.secondsPerEpoch(), o.adapterShare()));
        }
        sb.append("```\n");
        AtomicFiles.writeString(file, sb.toString());
    }
}
