package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * DepthToSpace (and SpaceToDepth, its inverse): moves blocksize x blocksize groups of channels into spatial
 * blocks, in DCR (depth-column-row, the default) or CRD order (opset 11).
 */
@OnnxOp(
        type = "DepthToSpace",
        since = {1, 11, 13})
@OnnxOp(
        type = "SpaceToDepth",
        since = {1, 13})
public final class DepthToSpace implements OpConverter {
    private final boolean toSpace;

    /** The converter for {@code opType}: DepthToSpace or SpaceToDepth. */
    public DepthToSpace(String opType) {
        if (!opType.equals("DepthToSpace") && !opType.equals("SpaceToDepth")) {
            throw new IllegalArgumentException("DepthToSpace does not implement " + opType);
        }
        this.toSpace = opType.equals("DepthToSpace");
    }

    @Override
    public OpKernel prepare(OnnxNode node) {
        long b = node.attrs().requireInt("blocksize");
        String mode = node.attrs().getString("mode", "DCR");
        if (b < 1 || !(mode.equals("DCR") || mode.equals("CRD"))) {
            throw new MergeNetException(node.describe() + ": blocksize " + b + " / mode '" + mode + "' not valid");
        }
        boolean crd = mode.equals("CRD");
        return (ctx, in) -> {
            NDArray x = in.get(0);
            if (x.getShape().dimension() != 4) {
                throw new MergeNetException(node.describe() + ": input " + x.getShape() + " is not NCHW");
            }
            long n = x.getShape().get(0);
            long c = x.getShape().get(1);
            long h = x.getShape().get(2);
            long w = x.getShape().get(3);
            if (toSpace) {
                if (b > c || c % (b * b) != 0) { // b > c first: b * b may overflow to a divisor
                    throw new MergeNetException(
                            node.describe() + ": channels " + c + " not divisible by blocksize " + b + " squared");
                }
                long oc = c / (b * b);
                NDArray y = crd
                        ? x.reshape(n, oc, b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
                        : x.reshape(n, b, b, oc, h, w).transpose(0, 3, 4, 1, 5, 2);
                return new NDList(y.reshape(n, oc, h * b, w * b));
            }
            if (h % b != 0 || w % b != 0) {
                throw new MergeNetException(
                        node.describe() + ": spatial dims " + h + "x" + w + " not divisible by " + b);
            }
            NDArray y = x.reshape(n, c, h / b, b, w / b, b).transpose(0, 3, 5, 1, 2, 4);
            return new NDList(y.reshape(n, c * b * b, h / b, w / b));
        };
    }
}
