package dev.mergenet.transfer.config;

import java.util.Locale;

/**
 * Which teacher a distilling run learns from: the source(s) as given, or the random-teacher control, the same
 * architecture(s) with every weight re-initialized as a fresh model (so a loss's gain can be told from its
 * regularization alone).
 */
public enum Teacher {
    TRAINED,
    RANDOM;

    public static Teacher parse(String s) {
        for (Teacher t : values()) {
            if (t.cliName().equals(s.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("--teacher " + s + ": expected trained or random");
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
