package dev.mergenet.importers.limits;

import dev.mergenet.core.errors.ResourceLimitException;

/**
 * Bounds one Loop or Scan run: at most {@code -Dmergenet.loop.maxIterations} iterations (default 1,000,000)
 * and {@code -Dmergenet.loop.timeBudget} seconds (default 600), so a trip count of 2^62 ends with an error.
 */
public final class LoopBudget {
    public static final String MAX_ITERATIONS = "mergenet.loop.maxIterations";
    public static final String TIME_BUDGET = "mergenet.loop.timeBudget";

    private final String owner;
    private final long maxIterations;
    private final long deadlineNanos;
    private final long seconds;

    private LoopBudget(String owner, long maxIterations, long seconds) {
        this.owner = owner;
        this.maxIterations = maxIterations;
        this.seconds = seconds;
        this.deadlineNanos = System.nanoTime() + seconds * 1_000_000_000L;
    }

    /** Starts the budget of one run of the loop node {@code owner} (its description names the file and node). */
    public static LoopBudget start(String owner) {
        return new LoopBudget(owner, positive(MAX_ITERATIONS, 1_000_000L), positive(TIME_BUDGET, 600L));
    }

    /** Refuses a planned iteration count (a Loop's trip count, a Scan's length) over the cap before running. */
    public void checkPlanned(long iterations, String what) {
        if (iterations > maxIterations) {
            throw new ResourceLimitException(owner + ": " + what + " " + iterations + " is over the cap of "
                    + maxIterations + " iterations (-D" + MAX_ITERATIONS + " raises it)");
        }
    }

    /** Called before iteration {@code index} (0-based): refuses it past the cap or the time budget. */
    public void beforeIteration(long index) {
        if (index >= maxIterations) {
            throw new ResourceLimitException(owner + ": still running after " + maxIterations
                    + " iterations, the cap (-D" + MAX_ITERATIONS + " raises it)");
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new ResourceLimitException(owner + ": still running after " + seconds + " s at iteration " + index
                    + ", over the time budget (-D" + TIME_BUDGET + " raises it)");
        }
    }

    private static long positive(String property, long fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + property + "=" + v + " is not a positive whole number");
    }
}
