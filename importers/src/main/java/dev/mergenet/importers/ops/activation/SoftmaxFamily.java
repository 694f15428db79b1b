package dev.mergenet.importers.ops.activation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.ops.math.Numeric;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * Softmax, LogSoftmax and Hardmax. From opset 13 they work along one axis (default -1); before, the input
 * is flattened to 2-D at the axis (default 1) and the op runs over the whole second dimension.
 */
@OnnxOp(
        type = "Softmax",
        since = {1, 11, 13})
@OnnxOp(
        type = "LogSoftmax",
        since = {1, 11, 13})
@OnnxOp(
        type = "Hardmax",
        since = {1, 11, 13})
public final class SoftmaxFamily implements OpConverter {
    /** Which op. */
    public enum Kind {
        SOFTMAX,
        LOG_SOFTMAX,
        HARDMAX
    }

    private final Kind kind;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public SoftmaxFamily(String opType) {
        this.kind = switch (opType) {
            case "Softmax" -> Kind.SOFTMAX;
            case "LogSoftmax" -> Kind.LOG_SOFTMAX;
            case "Hardmax" -> Kind.HARDMAX;
            default -> throw new IllegalArgumentException("SoftmaxFamily does not implement " + opType);
        };
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean perAxis = node.sinceVersion() >= 13;
        long axisAttr = node.attrs().getInt("axis", perAxis ? -1 : 1);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            Shape shape = x.getShape();
            int rank = shape.dimension();
            if (rank == 0) {
                return new NDList(apply(x.reshape(1), 0).reshape(shape));
            }
            int axis = Numeric.axis(node, axisAttr, rank);
            if (perAxis) {
                return new NDList(apply(x, axis));
            }
            long rows = shape.slice(0, axis).size();
            NDArray flat = x.reshape(new Shape(rows, shape.size() / Math.max(rows, 1)));
            return new NDList(apply(flat, 1).reshape(shape));
        };
    }

    private NDArray apply(NDArray x, int axis) {
        switch (kind) {
            case SOFTMAX:
                return x.softmax(axis);
            case LOG_SOFTMAX:
                return x.logSoftmax(axis);
            default: {
                long n = x.getShape().get(axis);
                NDArray index = x.argMax(axis).expandDims(axis);
                long[] s = new long[x.getShape().dimension()];
                Arrays.fill(s, 1);
                s[axis] = n;
                NDArray iota = x.getManager()
                        .arange(0f, (float) n, 1f, index.getDataType())
                        .reshape(new Shape(s));
                return iota.eq(index).toType(x.getDataType(), false);
            }
        }
    }
}
