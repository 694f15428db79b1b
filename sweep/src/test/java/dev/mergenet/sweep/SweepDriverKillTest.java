package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver (a JVM of its own, local mode) is killed once its first trial has finished; the same sweep again runs
 * only the trials without a record and leaves the finished ones' files as they were.
 */
class SweepDriverKillTest {
    @TempDir
    Path dir;

    @Test
    void rerunAfterAKilledDriverFinishesOnlyWhatIsMissing() throws Exception {
        Path out = dir.resolve("out");
        SweepPlan plan = TinySweep.plan(dir, out, List.of("alone", "kd"), 2, 1, 300, List.of());
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
        try {
            for (int i = 0; i < 6000 && finishedAtKill.isEmpty() && driver.isAlive(); i++) {
                for (TrialSpec t : plan.trials()) {
                    if (TrialRecord.read(TrialFiles.of(t).record()) != null) {
                        finishedAtKill.put(t.id(), "");
                    }
                }
                Thread.sleep(50);
            }
        } finally {
            driver.destroyForcibly();
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
        }
        assertTrue(
                !finishedAtKill.isEmpty(),
                "a trial finished before the kill: " + Files.readString(dir.resolve("driver.log")));
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
}
