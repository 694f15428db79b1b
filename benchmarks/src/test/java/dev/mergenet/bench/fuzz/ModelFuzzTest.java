package dev.mergenet.bench.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mergenet.importers.limits.LoopBudget;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.limits.WorkBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 300 seeded structured mutations of the backend suite's models and the small PyTorch exports, then every mutant
 * the long run ever found ending badly ({@link FuzzFindings}, a list that grows with each finding): each must end in
 * success or a project exception, within 20 s and without the process growing past 3 GiB of resident memory.
 * The long run (10,000 files, child JVMs) is scripts/fuzz.sh; docs/fuzzing.md has its result.
 */
class ModelFuzzTest {
    private static final int MUTANTS = 300;
    private static final long SECONDS_PER_MODEL = 20;
    private static final long RESIDENT_LIMIT = 3L << 30;

    @BeforeAll
    static void tightBudgets() {
        System.setProperty(MemoryBudget.PROPERTY, "256m");
        System.setProperty(WorkBudget.PROPERTY, "16g");
        System.setProperty(LoopBudget.MAX_ITERATIONS, "100000");
        System.setProperty(LoopBudget.TIME_BUDGET, "5");
    }

    @AfterAll
    static void restore() {
        System.clearProperty(MemoryBudget.PROPERTY);
        System.clearProperty(WorkBudget.PROPERTY);
        System.clearProperty(LoopBudget.MAX_ITERATIONS);
        System.clearProperty(LoopBudget.TIME_BUDGET);
    }

    @Test
    void everyMutantEndsInSuccessOrAProjectError(@TempDir Path work) throws Exception {
        assumeTrue(Files.isDirectory(ModelFuzz.SUITES.resolve("node")), "needs libonnx-testdata");
        List<FuzzSeeds.Seed> seeds = ModelFuzz.seeds();
        Map<String, Integer> counts = new TreeMap<>();
        List<String> bad = new ArrayList<>();
        ExecutorService watchdog = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true); // a hung case must not keep the test JVM alive
            return t;
        });
        try {
            for (int i = 0; i < MUTANTS + FuzzFindings.ALL.size(); i++) {
                FuzzSeeds.Seed seed;
                ModelMutator.Mutant m;
                if (i < MUTANTS) {
                    seed = seeds.get((int) ((long) i * seeds.size() / MUTANTS));
                    m = ModelMutator.mutate(seed.model(), FuzzFindings.SUITE_SEED + i);
                } else {
                    FuzzFindings.Finding f = FuzzFindings.ALL.get(i - MUTANTS);
                    seed = seeds.get((int) (f.task() % seeds.size()));
                    m = ModelFuzz.mutant(seeds, f.runSeed(), f.task());
                }
                byte[] bytes = m.bytes();
                var inputs = seed.inputs();
                Future<FuzzTarget.Outcome> f = watchdog.submit(() -> FuzzTarget.run(bytes, work, inputs));
                FuzzTarget.Outcome o;
                try {
                    o = f.get(SECONDS_PER_MODEL, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    bad.add(seed.name() + " [" + m.description() + "]: no outcome in " + SECONDS_PER_MODEL + " s");
                    break; // the stuck thread still holds the engine; the rest would not be meaningful
                }
                counts.merge(o.kind() + " " + o.type(), 1, Integer::sum);
                if (!o.clean()) {
                    bad.add(seed.name() + " [" + m.description() + "]: " + o.kind() + " " + o.type() + " "
                            + o.message());
                }
                long resident = residentBytes();
                if (resident > RESIDENT_LIMIT) {
                    bad.add(seed.name() + " [" + m.description() + "]: resident memory " + (resident >> 20) + " MiB");
                    break;
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
        assertTrue(
                bad.isEmpty(),
                bad.size() + " mutant(s) did not end cleanly:\n  " + String.join("\n  ", bad) + "\noutcomes: "
                        + counts);
        assertTrue(counts.keySet().stream().anyMatch(k -> k.startsWith("SUCCESS")), "nothing ran: " + counts);
        assertTrue(counts.keySet().stream().anyMatch(k -> k.startsWith("PROJECT_ERROR")), "nothing failed: " + counts);
    }

    /** VmRSS of this process (Linux); 0 where /proc is missing. */
    private static long residentBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }
}
