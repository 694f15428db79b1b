package dev.mergenet.sweep;

import dev.mergenet.core.errors.MergeNetException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The sweep's driver: writes the manifest, skips every trial whose record exists and matches its spec, runs
 * the rest as one Spark task each, then writes the table and the HTML page from the records on disk.
 */
public final class SweepDriver {
    /** What a sweep did: how many trials it ran and reused, and every record it ended with. */
    public record Result(int ran, int reused, List<TrialRecord> records, Path table, Path html) {}

    private SweepDriver() {}

    public static Result run(SweepPlan plan, SparkSettings spark, boolean retryFailed, Path table, PrintStream log) {
        SweepManifest manifest = SweepManifest.of(plan);
        manifest.write(ensureDir(plan.outDir()));
        List<TrialSpec> pending = new ArrayList<>();
        int reused = 0;
        for (TrialSpec t : plan.trials()) {
            TrialRecord r = TrialRecord.read(TrialFiles.of(t).record());
            boolean done = r != null
                    && r.specHash().equals(t.hash())
                    && !(retryFailed && r.row().failed());
            if (done) {
                reused++;
            } else {
                pending.add(t);
            }
        }
        log.printf(
                "sweep %s: %d trials, %d reused from %s, %d to run on %s%n",
                plan.name(), plan.trials().size(), reused, plan.outDir(), pending.size(), spark.describe());
        if (!pending.isEmpty()) {
            try (JavaSparkContext sc = new JavaSparkContext(spark.sparkConf("mergenet experiment " + plan.name()))) {
                sc.setLogLevel("WARN");
                sc.setLocalProperty("spark.job.interruptOnCancel", "true"); // a cancelled task stops its trial JVM
                List<TrialRow> rows = sc.parallelize(pending, pending.size())
                        .map(new TrialTask(spark.device(), spark.threadsPerTrial(), spark.trialJvm()))
                        .collect();
                for (TrialRow r : rows) {
                    log.printf(
                            "%s: %s%n",
                            r.id(),
                            r.failed()
                                    ? "failed: " + r.failure()
                                    : String.format(
                                            "final test %.2f%%, best val %.2f%%%s",
                                            100 * r.finalTest(),
                                            100 * r.bestVal(),
                                            r.resumedFromEpoch() > 0
                                                    ? " (resumed from epoch " + r.resumedFromEpoch() + ")"
                                                    : ""));
                }
            } catch (RuntimeException e) {
                // Spark gave up on a task (out of attempts): the table still shows what finished
                Rebuilt partial = rebuild(plan.outDir(), table);
                throw new MergeNetException(
                        String.format(
                                "sweep %s stopped with %d of %d trials recorded (table: %s): "
                                        + "%s; run the same command again to finish the rest",
                                plan.name(),
                                partial.records().size(),
                                plan.trials().size(),
                                partial.table(),
                                firstLine(e)),
                        e);
            }
        }
        Rebuilt rebuilt = rebuild(plan.outDir(), table);
        return new Result(pending.size(), reused, rebuilt.records(), rebuilt.table(), rebuilt.html());
    }

    /** The table and page of a sweep, from the records on disk. */
    public record Rebuilt(List<TrialRecord> records, int missing, Path table, Path html) {}

    /** `experiment --rebuild`: the table (default OUT/results.md) and OUT/report.html from the records on disk. */
    public static Rebuilt rebuild(Path outDir, Path table) {
        SweepManifest m = SweepManifest.read(outDir);
        List<TrialRecord> records = m.records(outDir);
        Path t = table != null ? table : outDir.resolve("results.md");
        SweepTable.write(t, m, records);
        Path html = outDir.resolve("report.html");
        SweepReport.write(html, m, records);
        return new Rebuilt(records, m.trialHashes().size() - records.size(), t, html);
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage()).strip();
        return m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m;
    }

    private static Path ensureDir(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new dev.mergenet.core.errors.MergeNetException(p + ": cannot create: " + e.getMessage(), e);
        }
    }
}
