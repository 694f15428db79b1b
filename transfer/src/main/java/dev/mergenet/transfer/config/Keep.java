package dev.mergenet.transfer.config;

/** Which epoch's weights a run keeps and exports. */
public enum Keep {
    BEST,
    LAST;

    public static Keep parse(String s) {
        return switch (s.toLowerCase()) {
            case "best" -> BEST;
            case "last" -> LAST;
            default -> throw new IllegalArgumentException("--keep " + s + ": expected best or last");
        };
    }

    public String cliName() {
        return name().toLowerCase();
    }
}
