package dev.mergenet.sweep;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;

/**
 * One trial as one Spark task: runs the job (resuming from the trial's last epoch checkpoint when an earlier
 * attempt left one), writes the trial's record last and returns only the summary row. A deterministic failure
 * becomes a failed row; anything else (a lost executor, an engine error) propagates so that Spark retries it.
 */
public final class TrialTask implements Function<TrialSpec, TrialRow> {
    private static final long serialVersionUID = 1L;

    private final String device;
    private final int threads;

    /**
     * @param device  cpu, gpu[:N] or auto; with a GPU assigned by Spark's resource scheduling, that GPU
     * @param threads libtorch intra-op threads per trial (0: libtorch's default)
     */
    public TrialTask(String device, int threads) {
        this.device = device;
        this.threads = threads;
    }

    @Override
    public TrialRow call(TrialSpec spec) throws IOException {
        TrialFiles files = TrialFiles.of(spec);
        Files.createDirectories(files.dir());
        TaskContext ctx = TaskContext.get();
        try (PrintStream log =
                new PrintStream(new FileOutputStream(files.log().toFile(), true), true, StandardCharsets.UTF_8)) {
            log.printf(
                    "== %s: attempt %d, pid %d%n",
                    spec.id(),
                    ctx == null ? 0 : ctx.attemptNumber(),
                    ProcessHandle.current().pid());
            TrialRow row;
            TrialRecord record;
            try {
                TrialRunner.Outcome o = TrialRunner.run(spec, files, deviceFor(ctx), threads, log);
                row = new TrialRow(
                        spec.id(),
                        spec.arm(),
                        spec.seed(),
                        spec.configLabel(),
                        o.finalTest(),
                        o.testAtBestVal(),
                        o.bestVal(),
                        o.secondsPerEpoch(),
                        o.adapterShare(),
                        o.resumedFromEpoch(),
                        o.testSamples(),
                        o.classes(),
                        null);
                record = new TrialRecord(spec.hash(), spec, row, o.valCurve(), o.testCurve());
            } catch (RuntimeException e) {
                if (!TrialRunner.deterministic(e)) {
                    log.println("attempt lost: " + e); // Spark retries it; the retry resumes from the checkpoint
                    throw e;
                }
                // the trial's own failure: the same spec would fail again, so it is a row, not a retry
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                log.println("error: " + message);
                row = TrialRow.failed(spec, message);
                record = new TrialRecord(spec.hash(), spec, row, new double[0], new double[0]);
            }
            record.write(files.record());
            log.println(row.failed() ? "failed" : "done");
            return row;
        }
    }

    /** The GPU Spark assigned to this task (spark.task.resource.gpu.amount), else the configured device. */
    private String deviceFor(TaskContext ctx) {
        if (ctx != null) {
            ResourceInformation gpu = ctx.resourcesJMap().get("gpu");
            if (gpu != null && gpu.addresses().length > 0) {
                return "gpu:" + gpu.addresses()[0];
            }
        }
        return device;
    }
}
