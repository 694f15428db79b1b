package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode runs every trial in a JVM of its own: in local[2] two trials train at the same time (different pids,
 * overlapping intervals in their logs) with the same results as one after another in local[1]; a deterministic
 * failure there is one attempt and a failed row; a killed trial JVM under local[2,2] is retried and resumes.
 */
class SweepLocalParallelTest {
    private static final Pattern HEADER = Pattern.compile("== \\S+: attempt (\\d+), pid (\\d+), at (\\S+)");
    private static final Pattern END = Pattern.compile("(?:done|failed) at (\\S+)");

    @TempDir
    Path dir;

    /** One attempt as its log tells it: the trial JVM's pid and when it started and ended. */
    record Attempt(long pid, Instant start, Instant end) {
        static Attempt last(TrialFiles f) throws IOException {
            String log = Files.readString(f.log());
            Matcher h = HEADER.matcher(log);
            Matcher e = END.matcher(log);
            long pid = 0;
            Instant start = null;
            Instant end = null;
            while (h.find()) {
                pid = Long.parseLong(h.group(2));
                start = Instant.parse(h.group(3));
            }
            while (e.find()) {
                end = Instant.parse(e.group(1));
            }
            assertTrue(start != null && end != null, f.log() + ": " + log);
            return new Attempt(pid, start, end);
        }
    }

    @Test
    void twoTrialsInLocal2TrainSideBySideWithTheResultsOfLocal1() throws Exception {
        List<String> arms = List.of("alone", "kd");
        SweepPlan parallel = TinySweep.plan(dir, dir.resolve("two"), arms, 1, 1, 300, List.of());
        SweepPlan serial = TinySweep.plan(dir, dir.resolve("one"), arms, 1, 1, 300, List.of());
        SweepDriver.Result two = SweepDriver.run(parallel, TinySweep.local(2), false, null, System.err);
        SweepDriver.Result one = SweepDriver.run(serial, TinySweep.local(1), false, null, System.err);
        assertEquals(2, two.ran());
        assertEquals(2, one.ran());

        Attempt a = Attempt.last(TrialFiles.of(dir.resolve("two"), "alone_s0"));
        Attempt k = Attempt.last(TrialFiles.of(dir.resolve("two"), "kd_s0"));
        long self = ProcessHandle.current().pid();
        assertNotEquals(a.pid(), k.pid(), "two trial JVMs");
        assertTrue(a.pid() != self && k.pid() != self, "neither trial ran in the driver's JVM");
        assertTrue(
                a.start().isBefore(k.end()) && k.start().isBefore(a.end()),
                "the trials overlap in time: " + a + " and " + k);

        Map<String, TrialRecord> serialById = new HashMap<>();
        one.records().forEach(r -> serialById.put(r.row().id(), r));
        for (TrialRecord p : two.records()) {
            TrialRecord s = serialById.get(p.row().id());
            assertFalse(p.row().failed(), p.row().failure());
            assertEquals(s.row().finalTest(), p.row().finalTest(), 0, p.row().id());
            assertEquals(s.row().bestVal(), p.row().bestVal(), 0, p.row().id());
            assertEquals(
                    s.row().testAtBestVal(), p.row().testAtBestVal(), 0, p.row().id());
            assertArrayEquals(s.valCurve(), p.valCurve(), 0, p.row().id());
            assertArrayEquals(s.testCurve(), p.testCurve(), 0, p.row().id());
        }
    }

    @Test
    void aDeterministicFailureIsOneAttemptAndAKilledTrialJvmResumesFromItsCheckpoint() throws Exception {
        Path out = dir.resolve("out");
        // alone diverges at once (a failed row, not retried); kd's JVM is killed after its first epoch
        SweepPlan plan = TinySweep.plan(dir, out, List.of("alone@lr=1e7", "kd"), 1, 3, 1500, List.of());
        TrialFiles kd = TrialFiles.of(out, "kd_s0");
        AtomicLong killed = new AtomicLong();
        Thread killer = new Thread(() -> killAfterFirstCheckpoint(kd, killed));
        killer.setDaemon(true);
        killer.start();
        SweepDriver.Result r = SweepDriver.run(plan, TinySweep.local("local[2,2]"), false, null, System.err);
        killer.join(1000);
        assertTrue(killed.get() > 0, "the trial JVM was killed mid-trial");
        assertEquals(2, r.records().size());

        TrialRecord diverged = r.records().stream()
                .filter(x -> x.row().arm().equals("alone@lr=1e7"))
                .findFirst()
                .get();
        assertTrue(diverged.row().failed(), "a failed row");
        List<String> failedLog =
                Files.readAllLines(TrialFiles.of(diverged.spec()).log());
        assertEquals(1, failedLog.stream().filter(l -> l.contains(": attempt ")).count(), "not retried: " + failedLog);

        TrialRecord kdRecord = r.records().stream()
                .filter(x -> x.row().arm().equals("kd"))
                .findFirst()
                .get();
        assertFalse(kdRecord.row().failed(), kdRecord.row().failure());
        assertTrue(
                kdRecord.row().resumedFromEpoch() >= 1,
                "resumed from " + kdRecord.row().resumedFromEpoch());
        assertEquals(3, kdRecord.valCurve().length, "all three epochs in the history");
        String log = Files.readString(kd.log());
        assertTrue(log.contains("(pid " + killed.get() + ") exited with status"), log);
        assertTrue(log.contains("attempt lost"), log);
        assertTrue(log.contains("attempt 1, pid "), "Spark retried the task: " + log);
        assertTrue(log.contains("resumed from epoch " + kdRecord.row().resumedFromEpoch()), log);
    }

    /** Kills the trial's JVM once its first epoch's checkpoint is on disk (the trial log names its pid). */
    private static void killAfterFirstCheckpoint(TrialFiles trial, AtomicLong killed) {
        Pattern attempt = Pattern.compile("attempt 0, pid (\\d+)");
        try {
            for (int i = 0; i < 6000 && killed.get() == 0; i++) {
                if (Files.exists(trial.checkpoint()) && Files.exists(trial.log()) && !Files.exists(trial.record())) {
                    Matcher m = attempt.matcher(Files.readString(trial.log()));
                    if (m.find()) {
                        long pid = Long.parseLong(m.group(1));
                        if (pid != ProcessHandle.current().pid()) {
                            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                            killed.set(pid);
                        }
                        return;
                    }
                }
                Thread.sleep(50);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
