package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.core.errors.MergeNetException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The master and threads a sweep runs with when the user leaves them out, and the trial JVM of local mode. */
class SparkSettingsTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void defaultIsLocalWithOneTrialPerCoreUpToEightTrials() {
        assertEquals(1, SparkSettings.defaultThreads(1));
        assertEquals(1, SparkSettings.defaultThreads(2)); // a 2-core laptop: 2 trials of 1 thread
        assertEquals(1, SparkSettings.defaultThreads(8));
        assertEquals(2, SparkSettings.defaultThreads(9));
        assertEquals(2, SparkSettings.defaultThreads(16));
        assertEquals(8, SparkSettings.defaultThreads(64));

        SparkSettings s = SparkSettings.of(null, null, "cpu", Map.of());
        int threads = SparkSettings.defaultThreads(CORES);
        assertEquals(threads, s.threadsPerTrial());
        assertEquals("local[" + Math.max(1, CORES / threads) + "]", s.effectiveMaster());
        assertTrue(s.local());
        assertEquals(Math.max(1, CORES / threads), s.localSlots());
        assertTrue(s.describe().startsWith(s.effectiveMaster() + " (" + s.localSlots() + " trial"), s.describe());

        SparkSettings four = SparkSettings.of(null, 4, "cpu", Map.of());
        assertEquals("local[" + Math.max(1, CORES / 4) + "]", four.effectiveMaster());
    }

    @Test
    void aGivenMasterSetsTheThreadsLeftOut() {
        assertEquals(
                Math.max(1, CORES / 4),
                SparkSettings.of("local[4]", null, "cpu", Map.of()).threadsPerTrial());
        assertEquals(
                Math.max(1, CORES / 4),
                SparkSettings.of("local[4,3]", null, "cpu", Map.of()).threadsPerTrial());
        assertEquals(1, SparkSettings.of("local[*]", null, "cpu", Map.of()).threadsPerTrial());
        assertEquals(CORES, SparkSettings.of("local", null, "cpu", Map.of()).threadsPerTrial());
        assertEquals(3, SparkSettings.of("local[4]", 3, "cpu", Map.of()).threadsPerTrial());
        assertEquals(CORES, SparkSettings.of("local[*]", 1, "cpu", Map.of()).localSlots());

        SparkSettings cluster = SparkSettings.of("spark://127.0.0.1:7077", null, "cpu", Map.of());
        assertEquals(1, cluster.threadsPerTrial());
        assertFalse(cluster.local());
        assertNull(cluster.trialJvm(), "on a cluster the executor JVM runs the trial");
        assertFalse(SparkSettings.of("local-cluster[2,1,1024]", null, "cpu", Map.of())
                .local());

        MergeNetException e =
                assertThrows(MergeNetException.class, () -> SparkSettings.of("local[two]", null, "cpu", Map.of()));
        assertTrue(e.getMessage().startsWith("--master local[two]: expected local"), e.getMessage());
    }

    @Test
    void theTrialJvmIsThisJvmWithItsOwnHeap() {
        TrialJvm jvm = SparkSettings.of("local[2]", 1, "cpu", Map.of("spark.executor.memory", "2gb"))
                .trialJvm();
        assertEquals("2g", jvm.heap());
        assertEquals(System.getProperty("java.class.path"), jvm.classPath());
        // the surefire JVM's flags (pom.xml argLine): DJL offline and Spark's Java 17 opens pass on, the heap does not
        assertTrue(
                jvm.flags().contains("-Dai.djl.offline=" + System.getProperty("ai.djl.offline")),
                jvm.flags()::toString);
        assertTrue(jvm.flags().contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), jvm.flags()::toString);
        assertTrue(jvm.flags().stream().noneMatch(f -> f.startsWith("-Xmx")), jvm.flags()::toString);
        assertEquals(
                SparkSettings.DEFAULT_TRIAL_HEAP,
                SparkSettings.of("local[2]", 1, "cpu", Map.of()).trialJvm().heap());
    }
}
