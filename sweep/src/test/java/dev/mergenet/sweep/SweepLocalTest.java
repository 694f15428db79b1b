package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep in Spark's local mode (local[2]: two trial JVMs at a time): every trial writes its job's report, CSV, plot and ONNX under the sweep's folder
 * and its record; the table's numbers are the job reports' numbers; the same sweep again trains nothing.
 */
class SweepLocalTest {
    @TempDir
    Path dir;

    @Test
    void secondRunReusesEveryTrialAndTheTableComesFromTheJobReports() throws Exception {
        Path out = dir.resolve("out");
        SweepPlan plan = TinySweep.plan(dir, out, List.of("alone", "kd"), 2, 1, 300, List.of());
        SweepDriver.Result first = SweepDriver.run(plan, TinySweep.local(2), false, null, System.err);
        assertEquals(4, first.ran());
        assertEquals(0, first.reused());
        assertEquals(4, first.records().size());
        double kdSum = 0;
        for (TrialRecord r : first.records()) {
            assertTrue(!r.row().failed(), r.row().failure());
            TrialFiles f = TrialFiles.of(r.spec());
            for (Path p : List.of(f.model(), f.jobReport(), f.plot(), TrialRunner.csvBeside(f.jobReport()))) {
                assertTrue(Files.size(p) > 0, p + " missing");
            }
            // the row is the job's own summary, not a second computation
            JsonObject s = JsonParser.parseString(Files.readString(f.jobReport()))
                    .getAsJsonObject()
                    .getAsJsonObject("summary");
            assertEquals(s.get("finalTestAccuracy").getAsDouble(), r.row().finalTest(), 0);
            assertEquals(s.get("bestValAccuracy").getAsDouble(), r.row().bestVal(), 0);
            assertEquals(1, r.valCurve().length);
            if (r.row().arm().equals("kd")) {
                kdSum += r.row().finalTest();
            }
        }
        String table = Files.readString(out.resolve("results.md"));
        assertTrue(table.contains(String.format("| kd | default (1) | 2 | %.2f ±", 100 * kdSum / 2)), table);
        long logSize = Files.size(TrialFiles.of(out, "kd_s1").log());

        SweepDriver.Result second = SweepDriver.run(plan, TinySweep.local(2), false, null, System.err);
        assertEquals(0, second.ran());
        assertEquals(4, second.reused());
        assertEquals(logSize, Files.size(TrialFiles.of(out, "kd_s1").log()), "no attempt ran again");
        assertEquals(table, Files.readString(out.resolve("results.md")));

        // the table can always be rebuilt from the records alone
        Files.delete(out.resolve("results.md"));
        SweepDriver.Rebuilt rebuilt = SweepDriver.rebuild(out, null);
        assertEquals(0, rebuilt.missing());
        assertEquals(table, Files.readString(out.resolve("results.md")));

        // a changed setting is a different trial: it runs, the others are reused
        // (the earlier trial's checkpoint is not resumed: the new spec starts afresh)
        SweepPlan longer = TinySweep.plan(dir, out, List.of("alone", "kd"), 2, 1, 400, List.of());
        SweepDriver.Result changed = SweepDriver.run(longer, TinySweep.local(2), false, null, System.err);
        assertEquals(4, changed.ran());
        for (TrialRecord r : changed.records()) {
            assertTrue(!r.row().failed(), r.row().failure());
            assertEquals(0, r.row().resumedFromEpoch(), r.row().id());
        }
    }
}
