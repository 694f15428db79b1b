package dev.mergenet.transfer.train;

import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.MergeNetException;

/**
 * How a weight tensor is seen as a matrix: [d0, d1·d2·…] (a conv kernel [out, in, k, k] becomes [out, in·k·k], a
 * 1×1 conv the released code's squeeze). 1-D tensors (biases, BatchNorm γ/β) are not transferred.
 */
public final class MatrixView {
    private MatrixView() {}

    public static int[] matrixShape(String name, Shape shape, String origin) {
        if (shape.dimension() < 2) {
            throw new MergeNetException(origin + ": '" + name + "' has shape " + shape
                    + "; only tensors of rank >= 2 (matrices and conv kernels) can be transferred");
        }
        long rows = shape.get(0);
        long cols = shape.size() / rows;
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new MergeNetException(origin + ": '" + name + "' is too large to transfer: " + shape);
        }
        return new int[] {(int) rows, (int) cols};
    }
}
