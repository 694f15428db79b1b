package dev.mergenet.sweep;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;

/**
 * One trial as one Spark task: runs the job (resuming from the trial's last epoch checkpoint when an earlier
 * attempt left one), writes the trial's record last and returns only the summary row. A deterministic failure
 * becomes a failed row; anything else (a lost executor, an engine error) propagates so that Spark retries it. In
 * local mode the trial runs in a JVM of its own ({@link TrialJvm}), so that trials train side by side; its exit
 * decides: 0 with a record is the row (finished or failed), anything else (killed, crashed) a lost attempt.
 */
public final class TrialTask implements Function<TrialSpec, TrialRow> {
    private static final long serialVersionUID = 1L;

    private final String device;
    private final int threads;
    private final TrialJvm jvm;

    /**
     * @param device  cpu, gpu[:N] or auto; with a GPU assigned by Spark's resource scheduling, that GPU
     * @param threads libtorch intra-op threads per trial (0: libtorch's default)
     * @param jvm     the trial's own JVM, or null: the trial runs in the executor's JVM
     */
    public TrialTask(String device, int threads, TrialJvm jvm) {
        this.device = device;
        this.threads = threads;
        this.jvm = jvm;
    }

    @Override
    public TrialRow call(TrialSpec spec) throws IOException {
        TrialFiles files = TrialFiles.of(spec);
        Files.createDirectories(files.dir());
        TaskContext ctx = TaskContext.get();
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        dropStaleCheckpoint(spec, files);
        TrialRecord.writeSpec(files.spec(), spec);
        return jvm == null
                ? runHere(spec, attempt, deviceFor(ctx), threads)
                : runInTrialJvm(spec, files, attempt, deviceFor(ctx), ctx);
    }

    /**
     * Removes a checkpoint that a trial of other settings left in this folder (the sweep's settings changed since):
     * a trial's result depends on its spec alone, so it starts afresh rather than extending another run.
     */
    private static void dropStaleCheckpoint(TrialSpec spec, TrialFiles files) throws IOException {
        TrialSpec previous = null;
        if (Files.isRegularFile(files.spec())) {
            previous = TrialRecord.readSpec(files.spec());
        } else if (TrialRecord.read(files.record()) != null) {
            previous = TrialRecord.read(files.record()).spec();
        }
        if (previous != null && !previous.hash().equals(spec.hash()) && Files.deleteIfExists(files.checkpoint())) {
            Files.writeString(
                    files.log(),
                    "checkpoint of the trial's earlier settings removed: this spec starts afresh"
                            + System.lineSeparator(),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    /** Runs the trial in this JVM: its log appended to, its record written last, the row returned. */
    static TrialRow runHere(TrialSpec spec, int attempt, String device, int threads) throws IOException {
        TrialFiles files = TrialFiles.of(spec);
        Files.createDirectories(files.dir());
        try (PrintStream log =
                new PrintStream(new FileOutputStream(files.log().toFile(), true), true, StandardCharsets.UTF_8)) {
            log.printf(
                    "== %s: attempt %d, pid %d, at %s%n",
                    spec.id(), attempt, ProcessHandle.current().pid(), Instant.now());
            TrialRow row;
            TrialRecord record;
            try {
                TrialRunner.Outcome o = TrialRunner.run(spec, files, device, threads, log);
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
            log.printf("%s at %s%n", row.failed() ? "failed" : "done", Instant.now());
            return row;
        }
    }

    /**
     * Runs the trial in a JVM of its own and waits for it; a killed task (Spark cancelled it) kills that JVM. Only
     * a record of this very spec, written by a JVM that exited 0, is a result; any other end is a lost attempt.
     */
    private TrialRow runInTrialJvm(TrialSpec spec, TrialFiles files, int attempt, String device, TaskContext ctx)
            throws IOException {
        Process p = jvm.start(files.spec(), attempt, device, threads, files.log());
        try {
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                if (ctx != null && ctx.isInterrupted()) {
                    stop(p);
                    ctx.killTaskIfInterrupted();
                }
            }
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException(spec.id() + ": interrupted; its JVM (pid " + p.pid() + ") was stopped", e);
        }
        int status = p.exitValue();
        TrialRecord r = status == 0 ? TrialRecord.read(files.record()) : null;
        if (r != null && r.specHash().equals(spec.hash())) {
            return r.row();
        }
        String lost = String.format(
                "%s: its JVM (pid %d) exited with status %d%s; attempt lost, see %s",
                spec.id(), p.pid(), status, status == 0 ? " without a record" : "", files.log());
        Files.writeString(
                files.log(), lost + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        throw new IllegalStateException(lost); // not the trial's own failure: Spark retries it (local[N,F])
    }

    private static void stop(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
