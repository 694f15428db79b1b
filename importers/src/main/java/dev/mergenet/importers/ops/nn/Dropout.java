package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ndarray.ScalarMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Dropout, versions 1 to 13. Active while DJL trains the block or when the training_mode input (version 12+)
 * is true: elements are kept with probability 1 - ratio and scaled by 1 / (1 - ratio). Otherwise the output is
 * the input and the mask all true. With a seed attribute the masks come from NumPy's generator seeded once at
 * import, as the ONNX reference draws them (the first mask of a loaded model matches it); without one, from
 * the engine's generator.
 */
@OnnxOp(
        type = "Dropout",
        since = {1, 6, 7, 10, 12, 13, 22})
public final class Dropout implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        int version = node.sinceVersion();
        float ratioAttr = node.attrs().getFloat("ratio", 0.5f);
        Mt19937 seeded = node.attrs().has("seed") ? new Mt19937(node.attrs().getInt("seed", 0)) : null;
        boolean maskIsBool = version >= 10;
        boolean wantMask = node.outputs().size() > 1 && !node.outputs().get(1).isEmpty();
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            float ratio = version >= 12 && in.has(1) ? scalar(in, 1) : ratioAttr;
            boolean active = ctx.training() || (version >= 12 && in.has(2) && scalar(in, 2) != 0);
            if (ratio < 0 || ratio >= 1 && active) {
                throw new OnnxFormatException(owner + ": ratio " + ratio + " is outside [0, 1)");
            }
            if (!active || ratio == 0) {
                NDList out = new NDList(x.reshape(x.getShape()));
                if (wantMask) {
                    out.add(ctx.manager().ones(x.getShape(), maskIsBool ? DataType.BOOLEAN : x.getDataType()));
                }
                return out;
            }
            NDArray keep = keepMask(ctx.manager(), x.getShape(), ratio, seeded);
            NDArray y = ScalarMath.div(x.mul(keep.toType(x.getDataType(), false)), 1 - ratio);
            NDList out = new NDList(y);
            if (wantMask) {
                out.add(maskIsBool ? keep : keep.toType(x.getDataType(), false));
            }
            return out;
        };
    }

    private static NDArray keepMask(NDManager m, Shape shape, float ratio, Mt19937 seeded) {
        if (seeded == null) {
            return m.randomUniform(0, 1, shape).gte(ratio);
        }
        boolean[] keep = new boolean[(int) shape.size()];
        synchronized (seeded) {
            for (int i = 0; i < keep.length; i++) {
                keep[i] = seeded.nextDouble() >= ratio;
            }
        }
        return m.create(keep, shape);
    }

    private static float scalar(OpInputs in, int i) {
        return (float) in.scalarDouble(i);
    }
}
