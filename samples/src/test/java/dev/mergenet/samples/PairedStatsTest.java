package dev.mergenet.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.transfer.train.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairedStatsTest {
    @Test
    void pairedDifferenceUsesStudentT() {
        double[] a = {91.0, 90.5, 91.2, 90.8, 91.1};
        double[] b = {90.6, 90.4, 90.9, 90.2, 91.0};
        // differences 0.4, 0.1, 0.3, 0.6, 0.1: mean 0.3, sd 0.2121, t(4) = 2.776 -> half-width 0.2633
        double[] d = PairedStats.pairedDifference(a, b);
        assertEquals(0.3, d[0], 1e-9);
        assertEquals(2.776 * Math.sqrt(0.045) / Math.sqrt(5), d[1], 1e-9);
        assertEquals(Math.sqrt(0.045), PairedStats.std(new double[] {0.4, 0.1, 0.3, 0.6, 0.1}), 1e-12);
    }

    @Test
    void tableHasOneRowPerModeWithPairedDifferences() {
        List<ExperimentRunner.Outcome> o = List.of(
                new ExperimentRunner.Outcome(Mode.ALONE, 0, 0.90, 0.905, 10, Double.NaN),
                new ExperimentRunner.Outcome(Mode.ALONE, 1, 0.91, 0.910, 10, Double.NaN),
                new ExperimentRunner.Outcome(Mode.MERGENET, 0, 0.905, 0.905, 14, 0.3),
                new ExperimentRunner.Outcome(Mode.MERGENET, 1, 0.915, 0.912, 14, 0.3),
                new ExperimentRunner.Outcome(Mode.MERGENET, 2, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        String t = ExperimentRunner.table(o, List.of(Mode.ALONE, Mode.MERGENET));
        assertTrue(t.contains("| alone | 2 | 90.50 ± 0.71 | - |"), t);
        // both seeds gain 0.5 pp: zero spread, so the CI collapses to the mean
        assertTrue(t.contains("| mergenet | 3 (1) | 91.00 ± 0.71 | +0.50 [+0.50, +0.50] |"), t);
        assertTrue(t.contains("| 30% |"), t);
    }
}
