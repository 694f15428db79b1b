package dev.mergenet.importers.limits;

import dev.mergenet.core.errors.ResourceLimitException;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The most multiply-accumulates one convolution may take when its shapes come from the file: within the memory
 * budget, a large kernel, many channels or a huge stride can still ask for hours of work. Checked before the node
 * runs. Default 2^40 (about 1.1e12, minutes on a CPU); {@code -Dmergenet.workBudget=N} (a count, or with k, m, g,
 * t as powers of 1024) overrides.
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

    /**
     * The multiply-accumulates of a convolution: every element of {@code output} (N, M, spatial...) sums over
     * {@code perOutput} products (input channels per group times kernel elements). Refused over the budget or past a
     * 64-bit count; {@code what} names the file, node and shapes (built only for an error: this runs on every
     * convolution).
     */
    public static long checkConvolution(Supplier<String> what, long[] output, long perOutput) {
        long outputs = ShapeMath.elements(output, () -> what.get() + ": output");
        long macs;
        try {
            macs = Math.multiplyExact(outputs, perOutput);
        } catch (ArithmeticException e) {
            throw new ResourceLimitException(what.get() + ": " + outputs + " outputs of " + perOutput
                    + " multiply-accumulates each overflow a 64-bit count");
        }
        long budget = macs();
        if (macs > budget) {
            throw new ResourceLimitException(what.get() + " needs " + macs + " multiply-accumulates (" + outputs
                    + " outputs of " + perOutput + " each, " + String.format(Locale.ROOT, "%.2g", (double) macs)
                    + "), over the work budget of " + budget + " (-D" + PROPERTY + " raises it)");
        }
        return macs;
    }
}
