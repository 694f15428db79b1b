package dev.mergenet.importers.split;

import java.util.List;

/**
 * A tensor the import gives its own copy of a shared initializer's value. {@code node} is, for an
 * {@link Kind#IDENTITY_ALIAS}, the index of the Identity node that produces {@code name}; for a
 * {@link Kind#SHARED_INPUT}, the index of the node whose input {@code slot} is rewired to {@code name}.
 */
public record SplitTensor(
        String name, String source, Role role, Kind kind, List<String> consumers, int node, int slot) {
    /** What the tensor is to its consumers. */
    public enum Role {
        PARAMETER,
        RUNNING_STATISTIC
    }

    /** How it shared the value. */
    public enum Kind {
        /** An Identity output naming an initializer: the exporter merged tensors that were equal by value. */
        IDENTITY_ALIAS,
        /** A BatchNormalization running statistic read directly from an initializer that other inputs read. */
        SHARED_INPUT
    }

    public String reason() {
        return switch (kind) {
            case IDENTITY_ALIAS ->
                "Identity alias of '" + source + "' (the exporter merged equal tensors)"
                        + (role == Role.RUNNING_STATISTIC ? "; a running statistic is never a parameter" : "");
            case SHARED_INPUT -> "running statistic read from '" + source + "', which other inputs also read";
        };
    }
}
