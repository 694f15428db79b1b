package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.OnnxFormatException;

/** What LayerNormalization and RMSNormalization share: the axes they normalize over and their stash type. */
final class TrailingAxes {
    private TrailingAxes() {}

    /** The axes from {@code axisAttr} (negative counts from the end) to the last. */
    static int[] from(long axisAttr, int rank, String owner) {
        int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
        if (axis < 0 || axis >= rank) {
            throw new OnnxFormatException(owner + ": axis " + axisAttr + " is out of range for rank " + rank);
        }
        int[] axes = new int[rank - axis];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axis + i;
        }
        return axes;
    }

    /** stash_type 1 computes half-precision inputs in float32. */
    static boolean widens(boolean stashFloat, DataType type) {
        return stashFloat && (type == DataType.FLOAT16 || type == DataType.BFLOAT16);
    }
}
