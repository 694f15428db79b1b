package dev.mergenet.transfer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
