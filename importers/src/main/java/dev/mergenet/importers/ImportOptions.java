package dev.mergenet.importers;

import java.util.Set;

/**
 * How {@link OnnxImporter} builds the block. {@code keepTied} names tensors (an initializer or any name that
 * aliases it through Identity nodes) whose parameter roles stay one shared tensor instead of being split into
 * independent copies: true weight tying, such as an embedding shared with the classifier. Running statistics
 * are split whatever this says.
 */
public record ImportOptions(Set<String> keepTied) {
    public static final ImportOptions DEFAULT = new ImportOptions(Set.of());

    public ImportOptions {
        keepTied = Set.copyOf(keepTied);
    }

    public ImportOptions withKeepTied(Set<String> names) {
        return new ImportOptions(names);
    }
}
