package dev.mergenet.transfer.report;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The one line that ends `experiment` and `--compare-alone`: which arm to use and by how much, or that the seeds
 * cannot tell, or that both arms are at chance and nothing can be compared.
 */
public final class Verdict {
    private Verdict() {}

    /**
     * One arm against the baseline: mean paired difference and the half-width of its 95% CI in percentage points
     * (NaN half-width with one seed), and whether the arm's mean test accuracy is at chance.
     */
    public record Arm(String name, double meanPp, double halfWidthPp, boolean atChance) {}

    /** The verdict over arms compared with {@code baseline} on {@code seeds} seeds. */
    public static String of(String baseline, boolean baselineAtChance, List<Arm> arms, int seeds) {
        String s = seeds == 1 ? "1 seed" : seeds + " seeds";
        if (baselineAtChance && arms.stream().allMatch(Arm::atChance)) {
            return "verdict: every arm, " + baseline + " included, is at chance: nothing to compare; fix the training "
                    + "first (see the warnings above)";
        }
        // at chance on one side only decides without a confidence interval
        if (baselineAtChance) {
            Arm up = arms.stream()
                    .filter(a -> !a.atChance())
                    .max(Comparator.comparingDouble(Arm::meanPp))
                    .orElse(null);
            if (up != null) {
                return String.format(
                        Locale.ROOT,
                        "verdict: use %s: %+.2f pp test accuracy over %s, which is at chance " + "(%s)",
                        up.name(),
                        up.meanPp(),
                        baseline,
                        s);
            }
        } else if (!arms.isEmpty() && arms.stream().allMatch(Arm::atChance)) {
            return String.format(
                    Locale.ROOT,
                    "verdict: use %s: %s at chance (%s)",
                    baseline,
                    arms.size() == 1 ? arms.get(0).name() + " is" : "every other arm is",
                    s);
        }
        Arm best = null;
        Arm worst = null;
        for (Arm a : arms) {
            if (!Double.isFinite(a.halfWidthPp()) || !Double.isFinite(a.meanPp())) {
                continue;
            }
            if (a.meanPp() - a.halfWidthPp() > 0 && (best == null || a.meanPp() > best.meanPp())) {
                best = a;
            }
            if (a.meanPp() + a.halfWidthPp() < 0 && (worst == null || a.meanPp() < worst.meanPp())) {
                worst = a;
            }
        }
        if (best != null) {
            return String.format(
                    Locale.ROOT,
                    "verdict: use %s: %+.2f pp test accuracy over %s (95%% CI [%+.2f, %+.2f]," + " %s)",
                    best.name(),
                    best.meanPp(),
                    baseline,
                    best.meanPp() - best.halfWidthPp(),
                    best.meanPp() + best.halfWidthPp(),
                    s);
        }
        if (worst != null
                && arms.stream().noneMatch(a -> a.meanPp() - a.halfWidthPp() > 0)
                && arms.stream().allMatch(a -> Double.isFinite(a.halfWidthPp()) && a.meanPp() + a.halfWidthPp() < 0)) {
            return String.format(
                    Locale.ROOT,
                    "verdict: use %s: every other arm loses to it (%s %+.2f pp, 95%% CI " + "[%+.2f, %+.2f], %s)",
                    baseline,
                    worst.name(),
                    worst.meanPp(),
                    worst.meanPp() - worst.halfWidthPp(),
                    worst.meanPp() + worst.halfWidthPp(),
                    s);
        }
        return "verdict: no difference detectable with " + s + "; run more"
                + (seeds == 1 ? " (mergenet experiment --seeds 5 gives a confidence interval)" : " (--seeds)");
    }
}
