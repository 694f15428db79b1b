package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.core.engine.TorchScriptKernels;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clip: bounds from the min/max attributes (versions 1 and 6) or from optional scalar inputs (11+). Constant
 * bounds on floating input run as one fused kernel (hardtanh, as PyTorch's ReLU6, whose gradient is 0 at the
 * bounds themselves); other bounds are built from maximum and minimum so autograd flows to X and to the bounds.
 */
@OnnxOp(
        type = "Clip",
        since = {1, 6, 11, 12, 13})
public final class Clip implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean inPlace = InPlace.overwritable(node);
        if (node.sinceVersion() < 11) {
            float min = node.attrs().getFloat("min", Float.NEGATIVE_INFINITY);
            float max = node.attrs().getFloat("max", Float.POSITIVE_INFINITY);
            return (ctx, in) -> {
                NDArray x = in.get(0);
                if (x.getDataType().isFloating()) {
                    return new NDList(clamp(x, min, max, inPlace));
                }
                NDArray y = x;
                if (min != Float.NEGATIVE_INFINITY) {
                    y = y.maximum(Numeric.scalar(ctx.manager(), min, x.getDataType()));
                }
                if (max != Float.POSITIVE_INFINITY) {
                    y = y.minimum(Numeric.scalar(ctx.manager(), max, x.getDataType()));
                }
                return new NDList(Numeric.owned(y, x));
            };
        }
        boolean constantBounds = constantBound(node, 1) && constantBound(node, 2);
        double[] bounds = new double[2]; // read once: Constant nodes never change, and each read syncs the device
        AtomicBoolean read = new AtomicBoolean();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            DataType type = x.getDataType();
            if (type.isFloating() && constantBounds) {
                // the usual case (ReLU6, hard activations): constant bounds, one fused clamp
                if (!read.get()) {
                    bounds[0] = in.has(1) ? in.scalarDouble(1) : Double.NEGATIVE_INFINITY;
                    bounds[1] = in.has(2) ? in.scalarDouble(2) : Double.POSITIVE_INFINITY;
                    read.set(true); // a racing first call writes the same values
                }
                return new NDList(clamp(x, bounds[0], bounds[1], inPlace));
            }
            NDArray y = x;
            if (in.has(1)) {
                y = y.maximum(Numeric.as(in.oneValue(1), y.getDataType()));
            }
            if (in.has(2)) {
                y = y.minimum(Numeric.as(in.oneValue(2), y.getDataType()));
            }
            return new NDList(Numeric.owned(Numeric.as(y, type), x));
        };
    }

    /**
     * Floating x clamped to constant bounds: PyTorch's hardtanh where the engine has it (one kernel each way, as
     * nn.ReLU6; written into x when {@code inPlace}), else one clamp. Not for min > max, where ONNX (and clamp)
     * give max but hardtanh would give min.
     */
    private static NDArray clamp(NDArray x, double min, double max, boolean inPlace) {
        if (min <= max) {
            Optional<NDArray> fused = TorchScriptKernels.hardtanh(x, min, max, inPlace);
            if (fused.isPresent()) {
                return fused.get();
            }
        }
        return x.clip(min, max);
    }

    /** Absent, or a frozen scalar Constant (initializers are parameters and may train, so they take the general path). */
    private static boolean constantBound(OnnxNode node, int i) {
        return i >= node.inputs().size() || node.inputs().get(i).isEmpty() || node.inputIsScalarConstant(i);
    }
}
