package dev.mergenet.sweep;

import dev.mergenet.core.io.AtomicFiles;
import dev.mergenet.transfer.report.PairedStats;
import dev.mergenet.transfer.report.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sweep's markdown table: per arm the selected configuration (on validation), how many were tried, mean ±
 * std test accuracy, the paired per-seed difference to alone's selected configuration with a 95% CI, and to
 * the arm's random-source control; then the failed trials with their messages and every trial's numbers; last,
 * the one verdict line.
 */
public final class SweepTable {
    private SweepTable() {}

    public static String table(List<Selection.ArmResult> arms) {
        Optional<Selection.ArmResult> alone =
                arms.stream().filter(a -> TrialRunner.isAlone(a.arm())).findFirst();
        StringBuilder sb = new StringBuilder();
        sb.append("| arm | selected configuration (of tried) | seeds (failed) | final test acc (%) "
                + "| Δ vs alone, 95% CI (pp) | test acc at best val (%) | Δ vs alone, 95% CI (pp) "
                + "| Δ vs random-source control, 95% CI (pp) | s/epoch | adapter share |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Selection.ArmResult a : arms) {
            int seeds =
                    a.selected() == null ? 0 : a.byConfig().get(a.selected()).size();
            int failedSel = seeds - a.runs().size();
            String seedCol = failedSel == 0 ? Integer.toString(seeds) : seeds + " (" + failedSel + ")";
            String config = (a.selected() == null ? "-" : a.selected()) + " (" + a.configsTried() + ")";
            if (a.runs().isEmpty()) {
                sb.append(String.format(
                        "| %s | %s | %d (%d) | - | - | - | - | - | - | - |%n",
                        a.arm(),
                        config,
                        a.byConfig().values().stream().mapToInt(List::size).sum(),
                        a.failed().size()));
                continue;
            }
            double[] fin =
                    a.runs().stream().mapToDouble(r -> 100 * r.finalTest()).toArray();
            double[] best =
                    a.runs().stream().mapToDouble(r -> 100 * r.testAtBestVal()).toArray();
            String controlArm = TrialRunner.control(a.arm());
            Optional<Selection.ArmResult> control =
                    arms.stream().filter(c -> c.arm().equals(controlArm)).findFirst();
            sb.append(String.format(
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %s |%n",
                    a.arm(),
                    config,
                    seedCol,
                    meanStd(fin),
                    diff(a, alone, true),
                    meanStd(best),
                    diff(a, alone, false),
                    control.map(c -> diff(a, Optional.of(c), false)).orElse("-"),
                    PairedStats.mean(a.runs().stream()
                            .mapToDouble(TrialRow::secondsPerEpoch)
                            .toArray()),
                    TrialRunner.usesAdapter(a.arm())
                            ? String.format(
                                    "%.0f%%",
                                    100
                                            * PairedStats.mean(a.runs().stream()
                                                    .mapToDouble(TrialRow::adapterShare)
                                                    .toArray()))
                            : "-"));
        }
        return sb.toString();
    }

    /**
     * The one line that ends the table: every arm's selected configuration against alone's, paired by seed on final
     * test accuracy; the seed count is the fewest pairs any arm has.
     */
    public static String verdict(List<Selection.ArmResult> arms) {
        Optional<Selection.ArmResult> alone =
                arms.stream().filter(a -> TrialRunner.isAlone(a.arm())).findFirst();
        if (alone.isEmpty() || alone.get().runs().isEmpty()) {
            return "verdict: none: alone has no finished trial to compare with";
        }
        List<Verdict.Arm> compared = new ArrayList<>();
        int seeds = Integer.MAX_VALUE;
        for (Selection.ArmResult a : arms) {
            double[] d = pairedDiff(a, alone.get(), true);
            if (d == null) {
                continue;
            }
            String name = "default".equals(a.selected()) ? a.arm() : a.arm() + " (" + a.selected() + ")";
            compared.add(new Verdict.Arm(name, d[0], d[1], atChance(a)));
            seeds = Math.min(seeds, paired(a, alone.get()));
        }
        if (compared.isEmpty()) {
            return "verdict: none: no arm has a finished trial on a seed alone also finished";
        }
        return Verdict.of("alone", atChance(alone.get()), compared, seeds);
    }

    /**
     * Every arm against each of its references ({@link TrialRunner#isReference}: alone, kd, its controls, the same
     * arm with one setting changed), paired by seed on the test accuracy at the best validation epoch; empty when the
     * sweep has no pair beyond those the table shows (alone and the random-source control).
     */
    public static String comparisons(List<Selection.ArmResult> arms) {
        StringBuilder sb = new StringBuilder();
        for (Selection.ArmResult a : arms) {
            if (TrialRunner.isAlone(a.arm())) {
                continue; // the baseline: every other arm is compared with it
            }
            for (Selection.ArmResult o : arms) {
                if (TrialRunner.isAlone(o.arm())
                        || o.arm().equals(TrialRunner.control(a.arm()))
                        || !TrialRunner.isReference(a.arm(), o.arm())
                        || printedTheOtherWay(arms, a, o)) {
                    continue;
                }
                double[] d = pairedDiff(a, o, false);
                if (d == null) {
                    continue;
                }
                sb.append(String.format(
                        "| %s | %s | %s | %d |%n", a.arm(), o.arm(), diff(a, Optional.of(o), false), paired(a, o)));
            }
        }
        if (sb.length() == 0) {
            return "";
        }
        return "Paired differences of test accuracy at best val (arm − reference, same seeds):\n\n"
                + "| arm | reference | Δ, 95% CI (pp) | seeds |\n|---|---|---|---|\n" + sb + "\n";
    }

    /**
     * Each pair once: when both arms are each other's reference, the one with fewer settings (else the one listed
     * later, where a control is listed) is the reference.
     */
    private static boolean printedTheOtherWay(
            List<Selection.ArmResult> arms, Selection.ArmResult a, Selection.ArmResult o) {
        if (!TrialRunner.isReference(o.arm(), a.arm())) {
            return false;
        }
        int sa = a.arm().split("@").length;
        int so = o.arm().split("@").length;
        return sa != so ? sa < so : arms.indexOf(a) > arms.indexOf(o);
    }

    /** An arm is at chance when every selected run is (unknown counts: not at chance). */
    private static boolean atChance(Selection.ArmResult a) {
        return !a.runs().isEmpty() && a.runs().stream().allMatch(TrialRow::atChance);
    }

    private static int paired(Selection.ArmResult a, Selection.ArmResult other) {
        return (int) a.runs().stream()
                .filter(r -> other.runs().stream().anyMatch(o -> o.seed() == r.seed()))
                .count();
    }

    /** {mean, half-width} of the paired difference of the arm's selected runs to the other's, in pp; null if none. */
    static double[] pairedDiff(Selection.ArmResult a, Selection.ArmResult other, boolean fin) {
        if (a.arm().equals(other.arm())) {
            return null;
        }
        List<double[]> pairs = new ArrayList<>();
        for (TrialRow r : a.runs()) {
            for (TrialRow o : other.runs()) {
                if (o.seed() == r.seed()) {
                    pairs.add(new double[] {
                        100 * (fin ? r.finalTest() : r.testAtBestVal()), 100 * (fin ? o.finalTest() : o.testAtBestVal())
                    });
                }
            }
        }
        if (pairs.isEmpty()) {
            return null;
        }
        return PairedStats.pairedDifference(
                pairs.stream().mapToDouble(p -> p[0]).toArray(),
                pairs.stream().mapToDouble(p -> p[1]).toArray());
    }

    private static String diff(Selection.ArmResult a, Optional<Selection.ArmResult> other, boolean fin) {
        double[] d = other.map(o -> pairedDiff(a, o, fin)).orElse(null);
        if (d == null) {
            return "-";
        }
        return Double.isNaN(d[1])
                ? String.format("%+.2f (n=1)", d[0])
                : String.format("%+.2f [%+.2f, %+.2f]", d[0], d[0] - d[1], d[0] + d[1]);
    }

    private static String meanStd(double[] v) {
        double sd = PairedStats.std(v);
        return Double.isNaN(sd)
                ? String.format("%.2f", PairedStats.mean(v))
                : String.format("%.2f ± %.2f", PairedStats.mean(v), sd);
    }

    /** The whole markdown section: title, command, table, failed trials, every trial's numbers. */
    public static String markdown(SweepManifest m, List<TrialRecord> records) {
        List<Selection.ArmResult> arms = Selection.select(m.arms(), records);
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(m.title()).append("\n\n");
        sb.append("Command: `").append(m.command()).append("`\n\n");
        sb.append(table(arms)).append('\n');
        sb.append(comparisons(arms));
        sb.append(String.format(
                "%d of %d trials have a record; selection of each arm's configuration is on "
                        + "validation accuracy (mean over seeds at the best validation epoch).%n%n",
                records.size(), m.trialHashes().size()));
        List<TrialRow> failed =
                records.stream().map(TrialRecord::row).filter(TrialRow::failed).toList();
        if (!failed.isEmpty()) {
            sb.append("Failed trials:\n\n");
            failed.forEach(f -> sb.append("- ")
                    .append(f.id())
                    .append(" (")
                    .append(f.config())
                    .append("): ")
                    .append(f.failure().replace('\n', ' '))
                    .append('\n'));
            sb.append('\n');
        }
        sb.append("Per trial (arm, seed, configuration, final test acc, test acc at best val, best val acc, s/epoch, "
                + "adapter share, status):\n\n```\n");
        for (TrialRecord r : records) {
            TrialRow o = r.row();
            sb.append(String.format(
                    "%s\t%d\t%s\t%.4f\t%.4f\t%.4f\t%.1f\t%.3f\t%s%n",
                    o.arm(),
                    o.seed(),
                    o.config(),
                    o.finalTest(),
                    o.testAtBestVal(),
                    o.bestVal(),
                    o.secondsPerEpoch(),
                    o.adapterShare(),
                    o.failed() ? "failed" : "ok"));
        }
        sb.append("```\n\n");
        sb.append(verdict(arms)).append('\n');
        return sb.toString();
    }

    public static void write(Path file, SweepManifest m, List<TrialRecord> records) {
        AtomicFiles.writeString(file, markdown(m, records));
    }
}
