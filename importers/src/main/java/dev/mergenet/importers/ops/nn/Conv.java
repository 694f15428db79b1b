package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * Conv (1d/2d/3d): groups, dilations, strides and every auto_pad mode. Symmetric pads go to the native
 * convolution; asymmetric ones are applied as explicit zero padding first.
 */
@OnnxOp(
        type = "Conv",
        since = {1, 11, 22})
public final class Conv implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        WindowAttributes window = new WindowAttributes(node);
        int group = (int) node.attrs().getInt("group", 1);
        return (ctx, in) -> {
            if (!in.get(0).getDataType().isFloating()
                    || in.get(0).getDataType() != in.get(1).getDataType()) {
                throw new OnnxFormatException(window.owner() + ": " + in.describe(0) + " and " + in.describe(1)
                        + " must be of one floating-point type");
            }
            return new NDList(convolve(window, in.get(0), in.get(1), in.optional(2), group));
        };
    }

    /** The convolution of x (N, C, spatial...) with w (M, C/group, kernel...), plus the optional bias. */
    static NDArray convolve(WindowAttributes attrs, NDArray x, NDArray w, NDArray bias, int group) {
        int n = x.getShape().dimension() - 2;
        if (n < 1 || w.getShape().dimension() != n + 2) {
            throw new OnnxFormatException(attrs.owner() + ": input " + x.getShape() + " and weight " + w.getShape()
                    + " must both be (batch, channels, spatial...) with 1 to 3 spatial axes");
        }
        if (x.getShape().get(1) != w.getShape().get(1) * group) {
            throw new OnnxFormatException(attrs.owner() + ": input has "
                    + x.getShape().get(1) + " channels but weight " + w.getShape() + " with group " + group
                    + " expects " + w.getShape().get(1) * group);
        }
        if (bias != null
                && (bias.getShape().dimension() != 1
                        || bias.getShape().get(0) != w.getShape().get(0))) {
            throw new OnnxFormatException(attrs.owner() + ": bias " + bias.getShape() + " must hold one value per "
                    + w.getShape().get(0) + " output channels of weight " + w.getShape());
        }
        long[] kernel = SpatialPadding.spatial(w.getShape(), n);
        WindowAttributes.Window win = attrs.resolve(SpatialPadding.spatial(x.getShape(), n), kernel);
        attrs.checkConvolutionCost(x.getShape(), w.getShape(), x.getDataType(), win);
        long[] padding = win.padBegin();
        if (!win.symmetric()) {
            x = SpatialPadding.apply(x, win.padBegin(), win.padEnd(), 0);
            padding = new long[n];
        }
        return x.getNDArrayInternal()
                .convolution(
                        x, w, bias, new Shape(win.strides()), new Shape(padding), new Shape(win.dilations()), group)
                .singletonOrThrow();
    }
}
