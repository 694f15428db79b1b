package dev.mergenet.transfer.config;

/** The optimizer of the target and a co-trained source. */
public enum OptimizerKind {
    /** SGD with momentum (the released recipe). */
    SGD,
    /** AdamW with decoupled weight decay. */
    ADAMW;

    public static OptimizerKind parse(String s) {
        for (OptimizerKind k : values()) {
            if (k.cliName().equals(s.toLowerCase())) {
                return k;
            }
        }
        throw new IllegalArgumentException("--optimizer " + s + ": expected sgd or adamw");
    }

    /** sgd or adamw. */
    public String cliName() {
        return name().toLowerCase();
    }
}
