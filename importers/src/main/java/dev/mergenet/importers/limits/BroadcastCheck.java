package dev.mergenet.importers.limits;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.OnnxFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The output of a broadcasting op is the product of its inputs' extents: [N, 1] + [1, M] makes N x M from two
 * small inputs. Checked against the memory budget before the op runs, for every op that broadcasts.
 */
public final class BroadcastCheck {
    private static final Set<String> ELEMENTWISE = Set.of(
            "Add",
            "Sub",
            "Mul",
            "Div",
            "Pow",
            "Mod",
            "And",
            "Or",
            "Xor",
            "Equal",
            "Greater",
            "Less",
            "GreaterOrEqual",
            "LessOrEqual",
            "Where",
            "Max",
            "Min",
            "Sum",
            "Mean",
            "BitShift",
            "BitwiseAnd",
            "BitwiseOr",
            "BitwiseXor",
            "PRelu");

    private BroadcastCheck() {}

    /**
     * Refuses the node's output when its inputs do not broadcast (numpy rules, from version 7 on; older versions
     * broadcast along an axis attribute) or when its broadcast shape is over budget; {@code what} names file and node
     * (built only for an error: this runs before every node).
     */
    public static void check(String opType, int sinceVersion, List<NDArray> inputs, Supplier<String> what) {
        boolean matMul = opType.equals("MatMul");
        if (!matMul && !ELEMENTWISE.contains(opType)) {
            return;
        }
        if (!matMul && sinceVersion >= 7) {
            checkCompatible(inputs, what);
        }
        int rank = 0;
        for (NDArray a : inputs) {
            if (a != null) {
                rank = Math.max(rank, a.getShape().dimension());
            }
        }
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        DataType type = null;
        for (NDArray a : inputs) {
            if (a == null) {
                continue;
            }
            long[] s = a.getShape().getShape();
            for (int i = 0; i < s.length; i++) {
                int at = rank - s.length + i;
                out[at] = Math.max(out[at], s[i]);
            }
            type = type == null ? a.getDataType() : type;
        }
        if (matMul
                && inputs.size() == 2
                && inputs.get(0) != null
                && inputs.get(1) != null
                && inputs.get(0).getShape().dimension() >= 2
                && inputs.get(1).getShape().dimension() >= 2) {
            // batch dims broadcast; the last two are (rows of A, columns of B)
            out[rank - 2] =
                    inputs.get(0).getShape().get(inputs.get(0).getShape().dimension() - 2);
            out[rank - 1] =
                    inputs.get(1).getShape().get(inputs.get(1).getShape().dimension() - 1);
        } else if (matMul) {
            return;
        }
        MemoryBudget.check(
                () -> what.get() + ": broadcast output",
                out,
                type == null || type.getNumOfBytes() <= 0 ? 1 : type.getNumOfBytes());
    }

    /** Each axis, aligned from the right, holds one extent besides 1 across all inputs. */
    private static void checkCompatible(List<NDArray> inputs, Supplier<String> what) {
        int rank = 0;
        for (NDArray a : inputs) {
            rank = a == null ? rank : Math.max(rank, a.getShape().dimension());
        }
        for (int i = 1; i <= rank; i++) {
            long extent = 1;
            for (NDArray a : inputs) {
                if (a == null || a.getShape().dimension() < i) {
                    continue;
                }
                long d = a.getShape().get(a.getShape().dimension() - i);
                if (d != 1 && extent != 1 && d != extent) {
                    List<String> shapes = new ArrayList<>();
                    inputs.forEach(x -> shapes.add(
                            x == null ? "-" : x.getDataType() + x.getShape().toString()));
                    throw new OnnxFormatException(what.get() + ": inputs " + shapes + " do not broadcast (" + extent
                            + " and " + d + " on axis -" + i + ")");
                }
                extent = d == 1 ? extent : d;
            }
        }
    }
}
