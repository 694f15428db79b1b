package dev.mergenet.importers.limits;

import dev.mergenet.core.errors.ResourceLimitException;
import java.util.Arrays;
import java.util.function.Supplier;

/** Overflow-checked shape arithmetic: every product of dims a file controls goes through here. */
public final class ShapeMath {
    private ShapeMath() {}

    /** Element count of {@code dims}; {@code what} names the file, node and input for the error. */
    public static long elements(long[] dims, String what) {
        return elements(dims, () -> what);
    }

    /** As {@link #elements(long[], String)}, the name built only for an error (for checks on every run). */
    public static long elements(long[] dims, Supplier<String> what) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new ResourceLimitException(
                        what.get() + ": shape " + Arrays.toString(dims) + " has a negative dimension");
            }
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new ResourceLimitException(what.get() + ": shape " + Arrays.toString(dims)
                        + " has more elements than a 64-bit count holds");
            }
        }
        return count;
    }

    /** {@code a * b}, refusing overflow with an error naming {@code what} and the shape it came from. */
    public static long multiply(long a, long b, String what, long[] shape) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new ResourceLimitException(
                    what + ": shape " + Arrays.toString(shape) + " has more elements than a 64-bit count holds");
        }
    }

    /** {@code a + b} for sizes, refusing overflow. */
    public static long add(long a, long b, String what) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new ResourceLimitException(what + ": size " + a + " + " + b + " overflows a 64-bit count");
        }
    }
}
