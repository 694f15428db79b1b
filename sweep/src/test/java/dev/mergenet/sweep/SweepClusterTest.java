package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same sweep against a standalone master and worker on 127.0.0.1 (scripts/spark-local-cluster.sh, stopped by
 * its pids): one trial's executor JVM is killed after its first epoch's checkpoint; Spark retries the task on a
 * new executor, which resumes from that checkpoint, and every row ends present.
 */
class SweepClusterTest {
    @TempDir
    Path dir;

    @Test
    void killedExecutorIsRetriedAndTheTrialResumesFromItsCheckpoint() throws Exception {
        Path out = dir.resolve("out");
        SweepPlan plan = TinySweep.plan(dir, out, List.of("alone", "kd"), 1, 3, 1500, List.of());
        AtomicLong killed = new AtomicLong();
        List<Long> clusterPids;
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 2)) {
            clusterPids = cluster.pids;
            assertTrue(cluster.url.matches("spark://127\\.0\\.0\\.1:\\d+"), cluster.url);
            TrialFiles kd = TrialFiles.of(out, "kd_s0");
            Thread killer = new Thread(() -> killAfterFirstCheckpoint(kd, killed));
            killer.setDaemon(true);
            killer.start();
            SweepDriver.Result r = SweepDriver.run(
                    plan,
                    new SparkSettings(cluster.url, 1, "cpu", Map.of("spark.executor.memory", "1g")),
                    false,
                    null,
                    System.err);
            killer.join(1000);
            assertTrue(killed.get() > 0, "the executor was killed mid-trial");
            assertEquals(2, r.ran());
            assertEquals(2, r.records().size());
            r.records().forEach(rec -> assertFalse(rec.row().failed(), rec.row().failure()));
            TrialRecord kdRecord = r.records().stream()
                    .filter(x -> x.row().arm().equals("kd"))
                    .findFirst()
                    .get();
            assertTrue(
                    kdRecord.row().resumedFromEpoch() >= 1,
                    "resumed from " + kdRecord.row().resumedFromEpoch());
            assertEquals(3, kdRecord.valCurve().length, "all three epochs in the history");
            String log = Files.readString(kd.log());
            assertTrue(log.contains("pid " + killed.get()), log);
            assertTrue(log.contains("resumed from epoch " + kdRecord.row().resumedFromEpoch()), log);
            assertTrue(log.contains("attempt 1"), "Spark retried the task: " + log);
        }
        for (long pid : clusterPids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " stopped");
        }
    }

    /** Kills the JVM that runs the trial once its first epoch's checkpoint is on disk (the trial log names it). */
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
