package dev.mergenet.sweep;

import java.nio.file.Path;

/** Where one trial's files live: OUT/trials/ID/ (the sweep's output folder must be shared by every executor). */
public record TrialFiles(Path dir) {
    public static TrialFiles of(TrialSpec spec) {
        return of(Path.of(spec.outDir()), spec.id());
    }

    public static TrialFiles of(Path outDir, String id) {
        return new TrialFiles(outDir.resolve("trials").resolve(id));
    }

    /** The sweep's record of the trial, written last: its presence means the trial finished (or failed for good). */
    public Path record() {
        return dir.resolve("trial.json");
    }

    /** The job's own report (as `mergenet transfer --report` writes it); the per-epoch CSV sits beside it. */
    public Path jobReport() {
        return dir.resolve("report.json");
    }

    public Path plot() {
        return dir.resolve("curves.png");
    }

    public Path model() {
        return dir.resolve("model.onnx");
    }

    /** The per-epoch checkpoint a retried task resumes from. */
    public Path checkpoint() {
        return dir.resolve("checkpoint.mnck");
    }

    /** The spec as the trial's own JVM reads it (local mode), rewritten by every attempt. */
    public Path spec() {
        return dir.resolve("spec.json");
    }

    /** The job's log, appended to by every attempt. */
    public Path log() {
        return dir.resolve("trial.log");
    }
}
