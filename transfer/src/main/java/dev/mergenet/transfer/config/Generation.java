package dev.mergenet.transfer.config;

/** How the adapter generates W' for injection (design question 12 in docs/mergenet.md). */
public enum Generation {
    /** With adapter dropout and running spectral-norm updates, as the released code. */
    TRAIN,
    /** Deterministic: no dropout, fixed spectral-norm buffers; the VJP update is unchanged. */
    EVAL;

    public static Generation parse(String s) {
        return switch (s) {
            case "train" -> TRAIN;
            case "eval" -> EVAL;
            default -> throw new IllegalArgumentException("--generation " + s + ": expected train or eval");
        };
    }

    public String cliName() {
        return name().toLowerCase();
    }
}
