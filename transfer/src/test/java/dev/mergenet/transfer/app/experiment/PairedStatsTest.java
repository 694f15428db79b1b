package dev.mergenet.transfer.app.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void tableHasOneRowPerArmWithPairedDifferencesToAloneAndToTheControl() {
        ExperimentRunner.Arm alone = ExperimentRunner.Arm.parse("alone");
        ExperimentRunner.Arm gated = ExperimentRunner.Arm.parse("mergenet:gated");
        ExperimentRunner.Arm control = ExperimentRunner.Arm.parse("random-source:gated");
        assertEquals(control, gated.control());
        List<ExperimentRunner.Outcome> o = List.of(
                new ExperimentRunner.Outcome(alone, 0, 0.90, 0.905, 10, Double.NaN),
                new ExperimentRunner.Outcome(alone, 1, 0.91, 0.910, 10, Double.NaN),
                new ExperimentRunner.Outcome(gated, 0, 0.905, 0.905, 14, 0.3),
                new ExperimentRunner.Outcome(gated, 1, 0.915, 0.912, 14, 0.3),
                new ExperimentRunner.Outcome(gated, 2, Double.NaN, Double.NaN, Double.NaN, Double.NaN),
                new ExperimentRunner.Outcome(control, 0, 0.90, 0.904, 14, 0.3),
                new ExperimentRunner.Outcome(control, 1, 0.91, 0.911, 14, 0.3));
        String t = ExperimentRunner.table(o, List.of(alone, gated, control));
        assertTrue(t.contains("| alone | 2 | 90.50 ± 0.71 | - |"), t);
        // both seeds gain 0.5 pp over alone: zero spread, so the CI collapses to the mean; +0.1 pp over the control
        assertTrue(t.contains("| mergenet:gated | 3 (1) | 91.00 ± 0.71 | +0.50 [+0.50, +0.50] |"), t);
        assertTrue(t.contains("| +0.10 [+0.10, +0.10] | 14.0 | 30% |"), t);
    }
}
