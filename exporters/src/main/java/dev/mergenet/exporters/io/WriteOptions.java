package dev.mergenet.exporters.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How an ONNX file is written: {@code force} allows replacing an existing file (never an input);
 * {@code externalData} puts tensors in one data file beside the model even below the 2 GiB limit;
 * {@code inputs} are files that must never be overwritten (the model being exported and its data files).
 */
public record WriteOptions(boolean force, boolean externalData, List<Path> inputs) {
    public WriteOptions {
        inputs = List.copyOf(inputs);
    }

    public static WriteOptions defaults() {
        return new WriteOptions(false, false, List.of());
    }

    public WriteOptions withInputs(List<Path> more) {
        List<Path> all = new ArrayList<>(inputs);
        all.addAll(more);
        return new WriteOptions(force, externalData, all);
    }
}
