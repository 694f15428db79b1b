package dev.mergenet.importers.limits;

/**
 * The most multiply-accumulates one op may take when its shapes come from the file: within the memory budget, a
 * large kernel, many channels or a huge stride can still ask for hours of work. {@link OpCost} checks it before
 * the node runs. Default 2^40 (about 1.1e12, minutes on a CPU); {@code -Dmergenet.workBudget=N} (a count, or
 * with k, m, g, t as powers of 1024) overrides.
 */
public final class WorkBudget {
    public static final String PROPERTY = "mergenet.workBudget";
    public static final long DEFAULT = 1L << 40;

    private WorkBudget() {}

    /** The budget in multiply-accumulates, read on every call so a test or a caller may change the property. */
    public static long macs() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        try {
            return MemoryBudget.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + value
                    + " is not a positive count of multiply-accumulates (or with k, m, g, t)");
        }
    }
}
