package dev.mergenet.exporters;

import dev.mergenet.exporters.TrainingCheckpoint.HeadEdit;
import dev.mergenet.importers.edit.ClassifierHead;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The original model of a training run or an export, read once: its file, the SHA-256 of the bytes read, the head
 * edit asked for and the model after it. A job reads it before training and hands this same value to
 * {@link ExportService}, so the file is read and hashed once and the classifier re-headed once per run.
 *
 * @param file the .onnx file the model was read from
 * @param sha256 SHA-256 of the file's bytes (lowercase hex), what lineage and checkpoints name the model by
 * @param head the classifier head edit applied, or null for the model's own head
 * @param replaced what the head edit replaced, or null without a head edit
 * @param model the model as read, after the head edit when there is one
 */
public record OriginalModel(
        Path file, String sha256, HeadEdit head, ClassifierHead.Replaced replaced, OnnxModel model) {
    /**
     * Checks that file, hash and model are given, and that a head edit comes with what it replaced.
     *
     * @param file the .onnx file the model was read from
     * @param sha256 SHA-256 of the file's bytes
     * @param head the head edit applied, or null
     * @param replaced what the head edit replaced, or null
     * @param model the model after the head edit
     */
    public OriginalModel {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(model, "model");
        if ((head == null) != (replaced == null)) {
            throw new IllegalArgumentException("a head edit and what it replaced come together");
        }
    }

    /**
     * Reads and hashes {@code file} once and applies {@code head}.
     *
     * @param file the original .onnx file
     * @param head a fresh classifier head (class count and seed), or null to keep the model's own
     * @return the model, its hash and the head edit
     */
    public static OriginalModel read(Path file, HeadEdit head) {
        return of(file, OnnxModelReader.readHashed(file), head);
    }

    /**
     * The original from a model already read and hashed, with {@code head} applied.
     *
     * @param file the file {@code read} came from
     * @param read the model and its hash, from {@link OnnxModelReader#readHashed}
     * @param head a fresh classifier head, or null to keep the model's own
     * @return the model, its hash and the head edit
     */
    static OriginalModel of(Path file, OnnxModelReader.Hashed read, HeadEdit head) {
        if (head == null) {
            return new OriginalModel(file, read.sha256(), null, null, read.model());
        }
        ClassifierHead.Replaced r = ClassifierHead.replace(read.model(), head.numClasses(), head.seed());
        return new OriginalModel(file, read.sha256(), head, r, r.model());
    }
}
