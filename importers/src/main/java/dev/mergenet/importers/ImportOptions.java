package dev.mergenet.importers;

import java.util.Set;

/**
 * How {@link OnnxImporter} builds the block. {@code keepTied} names tensors (an initializer or any name that
 * aliases it through Identity nodes) whose parameter roles stay one shared tensor instead of being split into
 * independent copies: true weight tying, such as an embedding shared with the classifier. Running statistics
 * are split whatever this says.
 *
 * @param keepTied tensor names whose roles stay one shared parameter
 */
public record ImportOptions(Set<String> keepTied) {
    /** Split every value-merged initializer (nothing kept tied). */
    public static final ImportOptions DEFAULT = new ImportOptions(Set.of());

    /**
     * Copies the names, so later changes to the caller's set do not change these options.
     *
     * @param keepTied tensor names whose roles stay one shared parameter
     */
    public ImportOptions {
        keepTied = Set.copyOf(keepTied);
    }

    /**
     * These options with other names kept tied.
     *
     * @param names tensor names whose roles stay one shared parameter
     * @return the new options
     */
    public ImportOptions withKeepTied(Set<String> names) {
        return new ImportOptions(names);
    }
}
