package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import java.util.Arrays;

/** Type and shape helpers shared by the math, activation and reduction converters. */
public final class Numeric {
    private Numeric() {}

    /** {@code a} in {@code type}; the same array when it already is. */
    public static NDArray as(NDArray a, DataType type) {
        return a.getDataType() == type ? a : a.toType(type, false);
    }

    /** A scalar of {@code type} on the manager's device. */
    public static NDArray scalar(NDManager m, double value, DataType type) {
        return ScalarMath.scalar(m, value, type);
    }

    /** A new handle when {@code out} is one of the inputs: the graph takes ownership of what a kernel returns. */
    public static NDArray owned(NDArray out, NDArray... inputs) {
        for (NDArray in : inputs) {
            if (in == out) {
                return out.reshape(out.getShape());
            }
        }
        return out;
    }

    /** The numpy broadcast of two shapes, or an error naming the node. */
    public static Shape broadcastShape(OnnxNode node, Shape a, Shape b) {
        int rank = Math.max(a.dimension(), b.dimension());
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            int ia = a.dimension() - rank + i;
            int ib = b.dimension() - rank + i;
            long da = ia < 0 ? 1 : a.get(ia);
            long db = ib < 0 ? 1 : b.get(ib);
            if (da != db && da != 1 && db != 1) {
                throw new MergeNetException(node.describe() + ": shapes " + a + " and " + b + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** Broadcasts every array to their common shape (ops such as where need equal shapes). */
    public static NDArray[] broadcastAll(OnnxNode node, NDArray... arrays) {
        Shape s = arrays[0].getShape();
        for (int i = 1; i < arrays.length; i++) {
            s = broadcastShape(node, s, arrays[i].getShape());
        }
        NDArray[] out = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i].getShape().equals(s) ? arrays[i] : arrays[i].broadcast(s);
        }
        return out;
    }

    /**
     * Opset 1-6 binary ops broadcast only with broadcast=1, aligning B at {@code axis} of A (trailing alignment
     * when axis is absent); later versions use numpy broadcasting, which needs nothing here.
     */
    public static NDArray legacyAlign(OnnxNode node, NDArray a, NDArray b) {
        if (node.sinceVersion() >= 7
                || node.attrs().getInt("broadcast", 0) == 0
                || !node.attrs().has("axis")) {
            return b;
        }
        int rankA = a.getShape().dimension();
        int rankB = b.getShape().dimension();
        int axis = (int) node.attrs().getInt("axis", 0);
        axis = axis < 0 ? axis + rankA : axis;
        long[] shape = new long[rankA];
        Arrays.fill(shape, 1);
        for (int i = 0; i < rankB; i++) {
            shape[axis + i] = b.getShape().get(i);
        }
        return b.reshape(new Shape(shape));
    }

    /** A negative axis counted from the end, checked against the rank. */
    public static int axis(OnnxNode node, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) {
            throw new MergeNetException(node.describe() + ": axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }
}
