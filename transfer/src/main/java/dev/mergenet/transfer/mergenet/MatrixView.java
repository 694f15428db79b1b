package dev.mergenet.transfer.mergenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.transfer.model.TrainableModel;

/**
 * How a weight tensor is seen as a matrix, always [out, in…]: a conv kernel [out, in, k, k] becomes [out, in·k·k]
 * (for 1×1 the released code's squeeze), a Gemm(transB=1) weight stays [out, in], and an input-major weight
 * (MatMul, Gemm without transB: [in, out]) is transposed. 1-D tensors (biases, BatchNorm γ/β) are not transferred.
 */
public final class MatrixView {
    private MatrixView() {}

    /** The matrix shape of a weight in the model's [out, in…] view. */
    public static int[] matrixShape(TrainableModel model, String name) {
        int[] s = matrixShape(name, model.weights().get(name).getShape(), model.origin());
        return model.inputMajor(name) ? new int[] {s[1], s[0]} : s;
    }

    /** The weight as an [out, in…] matrix (a view or transposed copy; the caller detaches as needed). */
    public static NDArray toMatrix(TrainableModel model, String name, NDArray w) {
        int[] s = matrixShape(name, w.getShape(), model.origin());
        NDArray m = w.reshape(s[0], s[1]);
        return model.inputMajor(name) ? m.transpose() : m;
    }

    /** A matrix in the [out, in…] view back to the weight's stored shape. */
    public static NDArray fromMatrix(TrainableModel model, String name, NDArray m, Shape stored) {
        NDArray t = model.inputMajor(name) ? m.transpose() : m;
        return t.reshape(stored);
    }

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
