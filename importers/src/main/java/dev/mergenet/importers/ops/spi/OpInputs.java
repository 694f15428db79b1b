package dev.mergenet.importers.ops.spi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.errors.OnnxFormatException;
import java.util.List;

/** A node's input arrays by position; an omitted optional input (empty name) is null. */
public final class OpInputs {
    private final List<NDArray> arrays;
    private final OnnxNode node;

    public OpInputs(List<NDArray> arrays, OnnxNode node) {
        this.arrays = arrays;
        this.node = node;
    }

    public int size() {
        return arrays.size();
    }

    public NDArray get(int i) {
        NDArray a = optional(i);
        if (a == null) {
            throw new MergeNetException(node.describe() + ": input " + i + " is required but missing");
        }
        return a;
    }

    /** The input at {@code i}, or null when absent. */
    public NDArray optional(int i) {
        return i < arrays.size() ? arrays.get(i) : null;
    }

    public boolean has(int i) {
        return optional(i) != null;
    }

    /** An integer input (shape, axes, sizes...) read to the host. */
    public long[] longs(int i) {
        NDArray a = get(i);
        return a.getDataType() == DataType.INT64
                ? a.toLongArray()
                : a.toType(DataType.INT64, false).toLongArray();
    }

    /**
     * A required input of exactly one value (TopK's K, an axis, a depth, a count, a bound), read to the host as
     * a 64-bit integer; an empty or many-valued tensor is an {@link OnnxFormatException} naming node and input.
     */
    public long scalarLong(int i) {
        NDArray a = oneValue(i);
        NDArray longs = a.getDataType() == DataType.INT64 ? a : a.toType(DataType.INT64, false);
        return longs.toLongArray()[0];
    }

    /** As {@link #scalarLong(int)}, read as a double (a ratio, a threshold, a clip bound, a condition). */
    public double scalarDouble(int i) {
        return oneValue(i).toType(DataType.FLOAT64, false).toDoubleArray()[0];
    }

    /** The required input {@code i}, refused unless it holds exactly one value (kept on the device). */
    public NDArray oneValue(int i) {
        NDArray a = get(i);
        if (a.getShape().size() != 1) {
            throw new OnnxFormatException(node.describe() + ": " + describe(i) + " must hold exactly one value");
        }
        return a;
    }

    /** "input 'name' float32(3, 4)" for error messages; "input i" when the node names no input there. */
    public String describe(int i) {
        String name = i < node.inputs().size() ? "'" + node.inputs().get(i) + "'" : Integer.toString(i);
        NDArray a = optional(i);
        return "input " + name + (a == null ? " (absent)" : " " + a.getDataType() + a.getShape());
    }

    public List<NDArray> all() {
        return arrays;
    }
}
