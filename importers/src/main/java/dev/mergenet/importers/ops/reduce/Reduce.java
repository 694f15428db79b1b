package dev.mergenet.importers.ops.reduce;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.ops.math.Numeric;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.TreeSet;

/**
 * The Reduce* ops. Axes come from the 'axes' attribute, or from optional input 1 in the versions that moved
 * them there (ReduceSum 13, the others 18), where noop_with_empty_axes decides whether no axes means "all"
 * or "none". The reduction keeps its dimensions until the end, then drops them unless keepdims.
 */
@OnnxOp(
        type = "ReduceSum",
        since = {1, 11, 13})
@OnnxOp(
        type = "ReduceMean",
        since = {1, 11, 13, 18})
@OnnxOp(
        type = "ReduceProd",
        since = {1, 11, 13, 18})
@OnnxOp(
        type = "ReduceMax",
        since = {1, 11, 12, 13, 18, 20})
@OnnxOp(
        type = "ReduceMin",
        since = {1, 11, 12, 13, 18, 20})
@OnnxOp(
        type = "ReduceL1",
        since = {1, 11, 13, 18})
@OnnxOp(
        type = "ReduceL2",
        since = {1, 11, 13, 18})
@OnnxOp(
        type = "ReduceLogSum",
        since = {1, 11, 13, 18})
@OnnxOp(
        type = "ReduceLogSumExp",
        since = {1, 11, 13, 18})
@OnnxOp(
        type = "ReduceSumSquare",
        since = {1, 11, 13, 18})
public final class Reduce implements OpConverter {
    /** Which reduction. */
    public enum Kind {
        SUM,
        MEAN,
        PROD,
        MAX,
        MIN,
        L1,
        L2,
        LOG_SUM,
        LOG_SUM_EXP,
        SUM_SQUARE
    }

    private final Kind kind;
    private final int axesInputSince;

    /** The converter for {@code opType}, one of the ops this class's {@code @OnnxOp}s name. */
    public Reduce(String opType) {
        this.kind = switch (opType) {
            case "ReduceSum" -> Kind.SUM;
            case "ReduceMean" -> Kind.MEAN;
            case "ReduceProd" -> Kind.PROD;
            case "ReduceMax" -> Kind.MAX;
            case "ReduceMin" -> Kind.MIN;
            case "ReduceL1" -> Kind.L1;
            case "ReduceL2" -> Kind.L2;
            case "ReduceLogSum" -> Kind.LOG_SUM;
            case "ReduceLogSumExp" -> Kind.LOG_SUM_EXP;
            case "ReduceSumSquare" -> Kind.SUM_SQUARE;
            default -> throw new IllegalArgumentException("Reduce does not implement " + opType);
        };
        this.axesInputSince = kind == Kind.SUM ? 13 : 18;
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean keepDims = node.attrs().getInt("keepdims", 1) != 0;
        boolean axesFromInput = node.sinceVersion() >= axesInputSince;
        boolean noopWhenEmpty = axesFromInput && node.attrs().getInt("noop_with_empty_axes", 0) != 0;
        long[] attrAxes = axesFromInput ? null : node.attrs().getInts("axes", null);
        return (ctx, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            long[] given = axesFromInput ? (in.has(1) ? in.longs(1) : new long[0]) : attrAxes;
            TreeSet<Integer> axes = new TreeSet<>();
            if (given == null || given.length == 0) {
                if (noopWhenEmpty) {
                    return new NDList(x.reshape(x.getShape()));
                }
                for (int i = 0; i < rank; i++) {
                    axes.add(i);
                }
            } else {
                for (long a : given) {
                    axes.add(Numeric.axis(node, a, rank));
                }
            }
            DataType type = x.getDataType();
            NDArray v = type == DataType.BOOLEAN ? x.toType(DataType.UINT8, false) : x;
            if (kind == Kind.MEAN && !v.getDataType().isFloating()) {
                v = v.toType(DataType.FLOAT64, false);
            }
            NDArray y = v;
            if (!axes.isEmpty()) {
                y = reduce(kind, v, axes.stream().mapToInt(Integer::intValue).toArray());
            }
            if (!keepDims) {
                y = y.reshape(dropAxes(x.getShape(), axes));
            }
            return new NDList(Numeric.owned(Numeric.as(y, type), x));
        };
    }

    /** Reduces over {@code axes} keeping them as size-1 dimensions. */
    private static NDArray reduce(Kind kind, NDArray x, int[] axes) {
        switch (kind) {
            case SUM:
                return x.sum(axes, true);
            case MEAN: {
                long count = 1;
                for (int a : axes) {
                    count *= x.getShape().get(a);
                }
                return x.sum(axes, true).div(Numeric.scalar(x.getManager(), count, x.getDataType()));
            }
            case PROD: {
                NDArray y = x;
                for (int a : axes) {
                    y = y.prod(new int[] {a}, true);
                }
                return y;
            }
            case MAX:
            case MIN: {
                NDArray y = x;
                for (int a : axes) {
                    y = kind == Kind.MAX ? y.max(new int[] {a}, true) : y.min(new int[] {a}, true);
                }
                return y;
            }
            case L1:
                return x.abs().sum(axes, true);
            case L2:
                return x.mul(x).sum(axes, true).sqrt();
            case LOG_SUM:
                return x.sum(axes, true).log();
            case LOG_SUM_EXP: {
                NDArray m = reduce(Kind.MAX, x, axes).stopGradient();
                // an all -inf slice would make x - max NaN: shift such slices by 0 instead
                NDArray finite = m.isInfinite().logicalNot();
                NDArray shift = m.getNDArrayInternal().where(finite, m.zerosLike());
                return x.sub(shift).exp().sum(axes, true).log().add(shift);
            }
            default:
                return x.mul(x).sum(axes, true);
        }
    }

    private static Shape dropAxes(Shape s, TreeSet<Integer> axes) {
        long[] out = new long[s.dimension() - axes.size()];
        int k = 0;
        for (int i = 0; i < s.dimension(); i++) {
            if (!axes.contains(i)) {
                out[k++] = s.get(i);
            }
        }
        return new Shape(out);
    }
}
