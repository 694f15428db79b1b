package dev.mergenet.importers.ops.spi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
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
        return a.getDataType() == DataType.INT64 ? a.toLongArray()
                : a.toType(DataType.INT64, false).toLongArray();
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
