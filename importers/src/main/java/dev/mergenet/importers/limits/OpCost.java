package dev.mergenet.importers.limits;

import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.ResourceLimitException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The one estimate of an op's memory and work, taken before the engine call, for every op whose sizes or work
 * follow from attributes or input values (convolutions, pools, window ops, Resize, Tile, Pad...). Each tensor it
 * will allocate is held to the {@link MemoryBudget}, its multiply-accumulates (and engine calls) to the
 * {@link WorkBudget}; a refusal is a {@link ResourceLimitException} naming the node, its shapes and the estimate.
 *
 * <pre>OpCost.of(() -&gt; owner + ": input [1, 3, 32, 32], kernel [3, 3]")
 *     .tensor("padded input", padded, Float.BYTES).tensor("output", out, Float.BYTES).work(out, 9);</pre>
 */
public final class OpCost {
    /**
     * What one engine call costs, in multiply-accumulates, whatever its size: ops that loop over kernel offsets
     * or pieces issue one call each, and a million calls take minutes however small each one is.
     */
    public static final long CALL_COST = 1L << 16;

    private final Supplier<String> what;

    private OpCost(Supplier<String> what) {
        this.what = what;
    }

    /** An estimate for the node and shapes {@code what} names (built only for an error: this runs on every call). */
    public static OpCost of(Supplier<String> what) {
        return new OpCost(what);
    }

    /** As {@link #of(Supplier)} for a name that is already built. */
    public static OpCost of(String what) {
        return new OpCost(() -> what);
    }

    /** A tensor of {@code shape} that the op will allocate, {@code elementBytes} per element. */
    public OpCost tensor(String label, long[] shape, int elementBytes) {
        MemoryBudget.check(() -> what.get() + ": " + label, shape, elementBytes);
        return this;
    }

    /** A tensor of {@code shape} and {@code type} that the op will allocate. */
    public OpCost tensor(String label, long[] shape, DataType type) {
        return tensor(label, shape, bytesOf(type));
    }

    /** Work of {@code perOutput} multiply-accumulates for every element of {@code output}. */
    public OpCost work(long[] output, long perOutput) {
        return work(output, perOutput, 0);
    }

    /**
     * Work of {@code perOutput} multiply-accumulates for every element of {@code output}, plus {@code engineCalls}
     * calls at {@link #CALL_COST} each. Refused over the budget or past a 64-bit count.
     */
    public OpCost work(long[] output, long perOutput, long engineCalls) {
        long outputs = ShapeMath.elements(output, () -> what.get() + ": output");
        long macs;
        try {
            macs = Math.addExact(Math.multiplyExact(outputs, perOutput), Math.multiplyExact(engineCalls, CALL_COST));
        } catch (ArithmeticException e) {
            throw new ResourceLimitException(what.get() + ": " + outputs + " outputs of " + perOutput
                    + " multiply-accumulates each" + calls(engineCalls) + " overflow a 64-bit count");
        }
        long budget = WorkBudget.macs();
        if (macs > budget) {
            throw new ResourceLimitException(what.get() + " needs " + macs + " multiply-accumulates (" + outputs
                    + " outputs " + Arrays.toString(output) + " of " + perOutput + " each" + calls(engineCalls) + ", "
                    + String.format(Locale.ROOT, "%.2g", (double) macs) + "), over the work budget of " + budget
                    + " (-D" + WorkBudget.PROPERTY + " raises it)");
        }
        return this;
    }

    /** Bytes per element of {@code type}, 1 where unknown (strings, booleans). */
    public static int bytesOf(DataType type) {
        return type == null || type.getNumOfBytes() <= 0 ? 1 : type.getNumOfBytes();
    }

    /** {@code shape} with {@code count} put in front (one copy of shape per kernel offset, piece or step). */
    public static long[] times(long count, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = count;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static String calls(long engineCalls) {
        return engineCalls == 0 ? "" : ", plus " + engineCalls + " engine calls at " + CALL_COST + " each";
    }
}
