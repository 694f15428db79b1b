package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * Col2Im: sums sliding blocks (N, C * prod(block), L) back into images (N, C, image...). This is a grouped
 * transposed convolution whose kernel is one-hot per block element, so it reuses ConvTranspose's path and
 * stays differentiable.
 */
@OnnxOp(type = "Col2Im", since = 18)
public final class Col2Im implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long[] dilationsAttr = node.attrs().getInts("dilations", null);
        long[] padsAttr = node.attrs().getInts("pads", null);
        long[] stridesAttr = node.attrs().getInts("strides", null);
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            long[] image = in.longs(1);
            long[] block = in.longs(2);
            int n = image.length;
            if (block.length != n || x.getShape().dimension() != 3) {
                throw new OnnxFormatException(owner + ": input " + x.getShape() + ", image_shape "
                        + Arrays.toString(image) + " and block_shape " + Arrays.toString(block) + " do not agree");
            }
            if (Arrays.stream(block).anyMatch(b -> b < 1)) {
                throw new OnnxFormatException(owner + ": block_shape " + Arrays.toString(block) + " must be positive");
            }
            long k = ShapeMath.elements(block, owner + ": block_shape");
            long channels = x.getShape().get(1) / k;
            if (channels * k != x.getShape().get(1)) {
                throw new OnnxFormatException(owner + ": " + x.getShape().get(1) + " rows are not a multiple of the "
                        + k + " block elements");
            }
            long[] d = orFill(dilationsAttr, n, 1);
            long[] s = orFill(stridesAttr, n, 1);
            if (Arrays.stream(s).anyMatch(v -> v < 1) || Arrays.stream(d).anyMatch(v -> v < 1)) {
                throw new OnnxFormatException(owner + ": strides " + Arrays.toString(s) + " and dilations "
                        + Arrays.toString(d) + " must be at least 1");
            }
            long[] imageShape = new long[n + 2];
            imageShape[0] = x.getShape().get(0);
            imageShape[1] = channels;
            System.arraycopy(image, 0, imageShape, 2, n);
            // the transposed convolution it runs: each output element sums k rows of k one-hot kernel products
            OpCost.of(() -> owner + ": input " + x.getShape() + ", image_shape input '"
                            + node.inputs().get(1) + "' " + Arrays.toString(image) + ", block_shape "
                            + Arrays.toString(block))
                    .tensor("output", imageShape, x.getDataType())
                    .tensor("block kernel", new long[] {channels, k, k}, Float.BYTES)
                    .work(imageShape, ShapeMath.multiply(k, k, owner + ": block kernel", block));
            if (padsAttr != null && padsAttr.length != 2 * n) {
                throw new OnnxFormatException(owner + ": pads has " + padsAttr.length + " values, expected " + 2 * n);
            }
            long[] begin = new long[n];
            long[] end = new long[n];
            long[] blocks = new long[n];
            long[] outputPadding = new long[n];
            long count = 1;
            for (int i = 0; i < n; i++) {
                begin[i] = padsAttr == null ? 0 : padsAttr[i];
                end[i] = padsAttr == null ? 0 : padsAttr[i + n];
                long padded = ShapeMath.add(ShapeMath.add(image[i], begin[i], owner), end[i], owner);
                blocks[i] =
                        (padded - ShapeMath.multiply(d[i], block[i] - 1, owner + ": block span", block) - 1) / s[i] + 1;
                outputPadding[i] = image[i] - (s[i] * (blocks[i] - 1) + d[i] * (block[i] - 1) + 1 - begin[i] - end[i]);
                count *= blocks[i];
            }
            if (count != x.getShape().get(2)) {
                throw new OnnxFormatException(
                        owner + ": " + x.getShape().get(2) + " blocks given, the image holds " + count);
            }
            long[] cols = new long[n + 2];
            cols[0] = x.getShape().get(0);
            cols[1] = channels * k;
            System.arraycopy(blocks, 0, cols, 2, n);
            long[] kernelShape = new long[n + 2];
            kernelShape[0] = channels * k;
            kernelShape[1] = 1;
            System.arraycopy(block, 0, kernelShape, 2, n);
            float[] oneHot = new float[(int) (channels * k * k)];
            for (int row = 0; row < channels * k; row++) {
                oneHot[(int) (row * k + row % k)] = 1;
            }
            NDArray kernel =
                    ctx.manager().create(oneHot, new Shape(kernelShape)).toType(x.getDataType(), false);
            return new NDList(ConvTranspose.transposedConvolution(
                    x.reshape(new Shape(cols)), kernel, null, s, d, begin, end, outputPadding, (int) channels));
        };
    }

    private static long[] orFill(long[] v, int n, long fill) {
        if (v != null) {
            return v;
        }
        long[] out = new long[n];
        Arrays.fill(out, fill);
        return out;
    }
}
