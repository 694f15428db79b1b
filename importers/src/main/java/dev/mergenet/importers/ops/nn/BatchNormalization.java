package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * BatchNormalization, versions 1 to 15. Inference uses the running statistics. Batch statistics are used when
 * DJL trains the block, or when the node itself asks for training (is_test=0 before version 7, extra outputs
 * in versions 7 and 9, training_mode=1 since 14).
 *
 * <p>When DJL trains, the running mean and variance inputs (the block's RUNNING_MEAN parameters) are updated
 * in place, PyTorch style: running = running * momentum + batch * (1 - momentum), with the unbiased batch
 * variance, through the engine's fused batch norm and its own backward; the updated statistics are also the
 * extra outputs, as in PyTorch's train-mode export (training_mode=1). When only the node asks for training, nothing is overwritten: the updated statistics are returned
 * as the extra outputs, computed as the ONNX reference does (biased batch variance).
 */
@OnnxOp(
        type = "BatchNormalization",
        since = {1, 6, 7, 9, 14, 15})
public final class BatchNormalization implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        float epsilon = node.attrs().getFloat("epsilon", 1e-5f);
        float momentum = node.attrs().getFloat("momentum", 0.9f);
        int version = node.sinceVersion();
        boolean spatial = version >= 9 || node.attrs().getInt("spatial", 1) != 0;
        boolean nodeTraining = nodeAsksForTraining(node);
        int outputs = node.outputs().size();
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray scale = in.get(1);
            NDArray bias = in.get(2);
            NDArray mean = in.get(3);
            NDArray var = in.get(4);
            int rank = x.getShape().dimension();
            if (rank < 2) {
                throw new OnnxFormatException(owner + ": input " + x.getShape() + " has no channel axis");
            }
            Shape view = paramView(x.getShape(), scale.getShape(), spatial);
            for (int i = 1; i <= 4; i++) {
                if (in.get(i).getShape().dimension() < 1
                        || in.get(i).size() != view.size()
                        || view.get(1) != x.getShape().get(1)) {
                    throw new OnnxFormatException(owner + ": " + in.describe(i) + " must hold one value per channel"
                            + (spatial ? "" : " and position") + " of " + in.describe(0));
                }
            }
            if (ctx.training() && outputs <= 3 && nativeApplies(x, scale, bias, mean, var, spatial)) {
                // One fused engine call (with its own backward) that also updates the running statistics in place,
                // PyTorch style. The batch statistics drive the output, so the running ones get no gradient here
                // either. Axis -1 tells DJL the channels are already on axis 1 (it hands the engine 1 - momentum);
                // the statistics go in as they are, or detached (sharing storage), so the update reaches them.
                NDArray y = x.getNDArrayInternal()
                        .batchNorm(x, detached(mean), detached(var), scale, bias, -1, momentum, epsilon, true)
                        .singletonOrThrow();
                // PyTorch's train-mode export (training_mode=1) also names the updated statistics as outputs: new
                // handles on them (views, not copies; nothing downstream writes into a value)
                return outputs == 1
                        ? new NDList(y)
                        : new NDList(y, mean.reshape(mean.getShape()), var.reshape(var.getShape()));
            }
            if (!ctx.training() && !nodeTraining) {
                // y = x * a + b with per-channel a = scale / sqrt(var + eps), b = B - mean * a: two full-size ops.
                NDArray a = scale.div(var.add(epsilon).sqrt());
                NDArray b = bias.sub(mean.mul(a));
                return new NDList(x.mul(a.reshape(view)).add(b.reshape(view)));
            }
            int[] axes = statisticAxes(rank, spatial);
            NDArray batchMean = AxisReductions.mean(x, axes);
            NDArray centered = x.sub(batchMean);
            NDArray batchVar = AxisReductions.mean(centered.mul(centered), axes);
            NDArray y = centered.div(batchVar.add(epsilon).sqrt())
                    .mul(scale.reshape(view))
                    .add(bias.reshape(view));
            NDArray flatMean = batchMean.stopGradient().reshape(mean.getShape());
            NDArray flatVar = batchVar.stopGradient().reshape(var.getShape());
            NDArray newMean;
            NDArray newVar;
            if (ctx.training()) {
                long count = x.getShape().size() / mean.getShape().size();
                NDArray unbiased = count > 1 ? ScalarMath.mul(flatVar, (double) count / (count - 1)) : flatVar;
                mean.muli(momentum).addi(ScalarMath.mul(flatMean, 1 - momentum));
                var.muli(momentum).addi(ScalarMath.mul(unbiased, 1 - momentum));
                newMean = mean.duplicate();
                newVar = var.duplicate();
            } else {
                newMean = ScalarMath.mul(mean, momentum).add(ScalarMath.mul(flatMean, 1 - momentum));
                newVar = ScalarMath.mul(var, momentum).add(ScalarMath.mul(flatVar, 1 - momentum));
            }
            NDList out = new NDList(y);
            if (outputs > 1) {
                out.add(newMean);
                out.add(newVar);
            }
            if (outputs > 3) {
                out.add(flatMean);
                out.add(flatVar);
            }
            return out;
        };
    }

    /** The statistics as the engine's batch norm takes them: as they are when no gradient is recorded for them. */
    private static NDArray detached(NDArray statistic) {
        return statistic.hasGradient() ? statistic.stopGradient() : statistic;
    }

    /** The engine's batch norm takes per-channel float statistics of the input's own type. */
    private static boolean nativeApplies(
            NDArray x, NDArray scale, NDArray bias, NDArray mean, NDArray var, boolean spatial) {
        DataType t = x.getDataType();
        long channels = x.getShape().get(1);
        for (NDArray p : new NDArray[] {scale, bias, mean, var}) {
            if (p.getDataType() != t
                    || p.getShape().dimension() != 1
                    || p.getShape().get(0) != channels) {
                return false;
            }
        }
        return spatial && (t == DataType.FLOAT32 || t == DataType.FLOAT64);
    }

    private static boolean nodeAsksForTraining(OnnxNode node) {
        int version = node.sinceVersion();
        boolean extraOutputs = node.outputs().size() > 1
                && node.outputs().subList(1, node.outputs().size()).stream().anyMatch(s -> !s.isEmpty());
        if (version >= 14) {
            return node.attrs().getInt("training_mode", 0) != 0;
        }
        if (version >= 7) {
            return extraOutputs;
        }
        return node.attrs().getInt("is_test", 0) == 0 && extraOutputs;
    }

    /** (1, C, 1, ...) for per-channel statistics; (1, C, D1, ...) for the pre-9 non-spatial form. */
    private static Shape paramView(Shape x, Shape param, boolean spatial) {
        long[] dims = new long[x.dimension()];
        Arrays.fill(dims, 1);
        if (spatial || param.dimension() == 1) {
            dims[1] = param.get(0);
        } else {
            for (int i = 0; i < param.dimension(); i++) {
                dims[1 + i] = param.get(i);
            }
        }
        return new Shape(dims);
    }

    private static int[] statisticAxes(int rank, boolean spatial) {
        if (!spatial) {
            return new int[] {0};
        }
        int[] axes = new int[rank - 1];
        axes[0] = 0;
        for (int i = 2; i < rank; i++) {
            axes[i - 1] = i;
        }
        return axes;
    }
}
