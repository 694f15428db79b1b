package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * HannWindow, HammingWindow and BlackmanWindow: generalized cosine windows a0 - a1 cos(2 pi n / N)
 * + a2 cos(4 pi n / N), N being the size (periodic) or size - 1 (symmetric).
 */
@OnnxOp(type = "HannWindow", since = 17)
@OnnxOp(type = "HammingWindow", since = 17)
@OnnxOp(type = "BlackmanWindow", since = 17)
public final class Window implements OpConverter {
    private final double a0;
    private final double a1;
    private final double a2;

    /** The converter for {@code opType}: its cosine coefficients a0, a1, a2. */
    public Window(String opType) {
        double[] a = switch (opType) {
            case "HannWindow" -> new double[] {0.5, 0.5, 0};
            case "HammingWindow" -> new double[] {25.0 / 46.0, 1 - 25.0 / 46.0, 0};
            case "BlackmanWindow" -> new double[] {0.42, 0.5, 0.08};
            default -> throw new IllegalArgumentException("Window does not implement " + opType);
        };
        this.a0 = a[0];
        this.a1 = a[1];
        this.a2 = a[2];
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean periodic = node.attrs().getInt("periodic", 1) != 0;
        int dt = (int) node.attrs().getInt("output_datatype", 1);
        DataType out = OnnxDataTypes.toDjl(dt);
        if (out == null) {
            throw new MergeNetException(node.describe() + ": unsupported output_datatype " + OnnxDataTypes.name(dt));
        }
        return (ctx, in) -> {
            long size = in.scalarLong(0);
            MemoryBudget.checkElements(
                    node.describe() + ": window of size input '" + node.inputs().get(0) + "'",
                    Math.max(size, 0),
                    Double.BYTES);
            double denominator = periodic ? size : size - 1;
            NDArray n = ctx.manager().arange(0f, (float) size, 1f, DataType.FLOAT64);
            NDArray phase = ScalarMath.mul(n, 2 * Math.PI / denominator);
            NDArray w = ScalarMath.mul(phase.cos(), -a1).add(a0);
            if (a2 != 0) {
                w = w.add(ScalarMath.mul(ScalarMath.mul(phase, 2).cos(), a2));
            }
            return new NDList(w.toType(out, false));
        };
    }
}
