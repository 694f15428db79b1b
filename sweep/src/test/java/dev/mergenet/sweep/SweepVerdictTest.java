package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verdict line that ends the sweep's table, from trial records built by hand, and the counts it needs. */
class SweepVerdictTest {
    @TempDir
    Path dir;

    private final List<TrialRecord> records = new ArrayList<>();

    @Test
    void clearlyBetterArmOverFiveSeedsIsTheVerdict() {
        // kd is +5, +6, +4, +5, +5 pp over alone: mean 5, sd 0.7071, t(4) = 2.776: half-width 0.878
        double[] alone = {0.80, 0.81, 0.79, 0.80, 0.82};
        double[] kd = {0.85, 0.87, 0.83, 0.85, 0.87};
        for (int s = 0; s < 5; s++) {
            add("alone", s, alone[s], 1000, 10);
            add("kd", s, kd[s], 1000, 10);
        }
        assertEquals("verdict: use kd: +5.00 pp test accuracy over alone (95% CI [+4.12, +5.88], 5 seeds)", verdict());
    }

    @Test
    void noiseOverTwoSeedsAsksForMore() {
        add("alone", 0, 0.80, 1000, 10);
        add("alone", 1, 0.82, 1000, 10);
        add("kd", 0, 0.83, 1000, 10);
        add("kd", 1, 0.78, 1000, 10);
        assertEquals("verdict: no difference detectable with 2 seeds; run more (--seeds)", verdict());
    }

    @Test
    void bothAtChanceSaysSo() {
        // 10 classes on 1000 test samples: chance is 10%, within noise up to about 12.8%
        for (int s = 0; s < 2; s++) {
            add("alone", s, 0.10, 1000, 10);
            add("kd", s, 0.105, 1000, 10);
        }
        assertTrue(verdict().startsWith("verdict: every arm, alone included, is at chance"), verdict());
    }

    @Test
    void countsRoundTripAndOldRecordsReadAsUnknown() throws Exception {
        add("alone", 0, 0.10, 1000, 10);
        Path f = dir.resolve("trial.json");
        records.get(0).write(f);
        TrialRow row = TrialRecord.read(f).row();
        assertEquals(1000, row.testSamples());
        assertEquals(10, row.classes());
        assertTrue(row.atChance());
        // a record written before the counts were kept: unknown, so not at chance
        Files.writeString(
                f, Files.readString(f).replaceAll("\"testSamples\": 1000,", "").replaceAll(",\\s*\"classes\": 10", ""));
        TrialRow old = TrialRecord.read(f).row();
        assertEquals(0, old.testSamples());
        assertEquals(0, old.classes());
        assertFalse(old.atChance());
    }

    private String verdict() {
        String v = SweepTable.verdict(Selection.select(List.of("alone", "kd"), records));
        return v;
    }

    private void add(String arm, long seed, double finalTest, int testSamples, int classes) {
        TrialSpec s = new TrialSpec(
                "verdict",
                "/m/t.onnx",
                arm.equals("alone") ? null : "/m/s.onnx",
                "d",
                "csv:/x",
                arm,
                seed,
                new TreeMap<>(),
                new TreeMap<>(),
                0,
                0,
                dir.toString());
        TrialRow row = new TrialRow(
                s.id(),
                arm,
                seed,
                s.configLabel(),
                finalTest,
                finalTest,
                finalTest,
                1.0,
                Double.NaN,
                0,
                testSamples,
                classes,
                null);
        records.add(new TrialRecord(s.hash(), s, row, new double[] {finalTest}, new double[] {finalTest}));
    }
}
