package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver (a JVM of its own, local[2]) is killed once its first trial has finished while another trial's JVM
 * trains: that trial JVM stops too (no orphan keeps training); the same sweep again runs only the trials without a
 * record and leaves the finished ones' files as they were.
 */
class SweepDriverKillTest {
    /** The last line of an attempt that finished (done, or failed for good). */
    private static final Pattern ENDED = Pattern.compile("(?m)^(done|failed) at ");

    @TempDir
    Path dir;

    @Test
    void rerunAfterAKilledDriverFinishesOnlyWhatIsMissing() throws Exception {
        Path out = dir.resolve("out");
        SweepPlan plan = TinySweepMain.plan(dir, out);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the flags this test JVM has (Spark's Java 17 opens, DJL offline), loopback for the child's driver
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-D"))
                .forEach(cmd::add);
        cmd.addAll(List.of(
                "-Dspark.driver.bindAddress=127.0.0.1",
                "-Dspark.driver.host=127.0.0.1",
                "-Dspark.ui.enabled=false",
                "-cp",
                System.getProperty("java.class.path"),
                TinySweepMain.class.getName(),
                dir.toString(),
                out.toString()));
        Process driver = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("driver.log").toFile())
                .start();
        Map<String, String> finishedAtKill = new LinkedHashMap<>();
        Instant killedAt = null;
        List<ProcessHandle> trainingAtKill = List.of();
        try {
            for (int i = 0; i < 6000 && driver.isAlive(); i++) {
                for (TrialSpec t : plan.trials()) {
                    if (TrialRecord.read(TrialFiles.of(t).record()) != null) {
                        finishedAtKill.put(t.id(), "");
                    }
                }
                trainingAtKill = trialJvms(driver).stream()
                        .filter(j -> !ENDED.matcher(attemptLog(plan, j.pid())).find()) // not one ending now
                        .toList();
                if (!finishedAtKill.isEmpty() && !trainingAtKill.isEmpty()) {
                    break; // killed at once: a trial JVM seen training is still training at the kill
                }
                Thread.sleep(50);
            }
        } finally {
            killedAt = Instant.now();
            driver.destroyForcibly();
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
        }
        assertTrue(
                !finishedAtKill.isEmpty() && !trainingAtKill.isEmpty(),
                "a trial finished and another trained at the kill: " + Files.readString(dir.resolve("driver.log")));
        List<ProcessHandle> orphans = trainingAtKill;
        for (int i = 0; i < 200 && orphans.stream().anyMatch(SweepDriverKillTest::alive); i++) {
            Thread.sleep(50);
        }
        assertTrue(orphans.stream().noneMatch(SweepDriverKillTest::alive), "the trial JVMs stop with their driver");
        for (ProcessHandle orphan : orphans) {
            // its attempt (if it had begun) ends with the trial JVM's own word that it stopped, not with "done"
            String log = attemptLog(plan, orphan.pid());
            assertTrue(
                    log.isEmpty() || log.contains("the task's JVM is gone: trial stopped") || endedBy(log, killedAt),
                    log);
        }
        finishedAtKill.clear();
        for (TrialSpec t : plan.trials()) {
            if (TrialRecord.read(TrialFiles.of(t).record()) != null) {
                finishedAtKill.put(t.id(), Files.readString(TrialFiles.of(t).record()));
            }
        }
        assertTrue(finishedAtKill.size() < plan.trials().size(), "the driver was killed before the end");

        SweepDriver.Result r = SweepDriver.run(plan, TinySweep.local(1), false, null, System.err);
        assertEquals(plan.trials().size() - finishedAtKill.size(), r.ran());
        assertEquals(finishedAtKill.size(), r.reused());
        assertEquals(plan.trials().size(), r.records().size());
        for (Map.Entry<String, String> e : finishedAtKill.entrySet()) {
            TrialFiles f = TrialFiles.of(out, e.getKey());
            assertEquals(e.getValue(), Files.readString(f.record()), e.getKey() + " was not run again");
            assertEquals(
                    1,
                    Files.readAllLines(f.log()).stream()
                            .filter(l -> l.contains(": attempt "))
                            .count());
        }
    }

    /**
     * Whether the attempt finished on its own as the driver died (within the time a JVM needs to notice): a trial in
     * its last step at the kill; one that kept training without its driver finishes seconds later.
     */
    private static boolean endedBy(String log, Instant killedAt) {
        Matcher m = Pattern.compile("(?m)^done at (\\S+)$").matcher(log);
        return m.find() && Instant.parse(m.group(1)).isBefore(killedAt.plusMillis(300));
    }

    /** The log of the attempt the trial JVM {@code pid} runs, from its header on; empty before it has begun. */
    private static String attemptLog(SweepPlan plan, long pid) {
        for (TrialSpec t : plan.trials()) {
            Path f = TrialFiles.of(t).log();
            try {
                String log = Files.exists(f) ? Files.readString(f) : "";
                int at = log.indexOf(", pid " + pid + ", at ");
                if (at >= 0) {
                    return log.substring(log.indexOf('\n', at) + 1);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return "";
    }

    /** The trial JVMs the driver started that are alive now. */
    private static List<ProcessHandle> trialJvms(Process driver) {
        return driver.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                .filter(SweepDriverKillTest::alive)
                .toList();
    }

    /** Alive and not a zombie (an exited process nobody reaped yet, once its parent is gone). */
    private static boolean alive(ProcessHandle p) {
        Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
        try {
            String s = Files.readString(stat);
            char state = s.charAt(s.lastIndexOf(')') + 2);
            return p.isAlive() && state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false; // gone
        }
    }
}
