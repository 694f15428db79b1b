package dev.mergenet.importers.limits;

import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.ResourceLimitException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The most bytes one tensor may take when its size comes from the file (an attribute, a shape input, a range
 * or a scale). Checked before the allocation, so a 164-byte model cannot ask for gigabytes. Default: a quarter
 * of the JVM's max heap, at least 256 MiB; {@code -Dmergenet.memoryBudget=8g} (bytes, or k/m/g/t) overrides.
 */
public final class MemoryBudget {
    public static final String PROPERTY = "mergenet.memoryBudget";
    private static final long FLOOR = 256L << 20;

    private MemoryBudget() {}

    /** The budget in bytes, read on every call so a test or a caller may change the property. */
    public static long bytes() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return Math.max(FLOOR, Runtime.getRuntime().maxMemory() / 4);
        }
        return parse(value.trim());
    }

    /** Refuses a tensor of {@code shape} and {@code type}; {@code what} names the file, node and input. */
    public static void check(String what, long[] shape, DataType type) {
        check(what, shape, type == null || type.getNumOfBytes() <= 0 ? 1 : type.getNumOfBytes());
    }

    /** Refuses a tensor of {@code shape} with {@code elementBytes} bytes per element. */
    public static void check(String what, long[] shape, int elementBytes) {
        check(() -> what, shape, elementBytes);
    }

    /** As {@link #check(String, long[], int)}, the name built only for an error (for checks on every run). */
    public static void check(Supplier<String> what, long[] shape, int elementBytes) {
        long elements = ShapeMath.elements(shape, what);
        long budget = bytes();
        if (elements > budget / Math.max(1, elementBytes)) {
            throw new ResourceLimitException(what.get() + ": shape " + Arrays.toString(shape) + " needs "
                    + describe(elements, elementBytes) + ", over the memory budget of " + human(budget)
                    + " (-D" + PROPERTY + " raises it)");
        }
    }

    /** Refuses {@code elements} elements of {@code elementBytes} bytes (a count computed elsewhere). */
    public static void checkElements(String what, long elements, int elementBytes) {
        check(what, new long[] {elements}, elementBytes);
    }

    private static String describe(long elements, int elementBytes) {
        double bytes = (double) elements * elementBytes;
        return elements + " elements (" + human(bytes) + ")";
    }

    static String human(double bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return u == 0
                ? String.format(Locale.ROOT, "%.0f %s", bytes, units[u])
                : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
    }

    static long parse(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = v.charAt(v.length() - 1);
        int shift = "kmgt".indexOf(last);
        if (shift >= 0) {
            unit = 1L << (10 * (shift + 1));
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "-D" + PROPERTY + "=" + value + " is not a positive size in bytes (or with k, m, g, t)");
        }
    }
}
