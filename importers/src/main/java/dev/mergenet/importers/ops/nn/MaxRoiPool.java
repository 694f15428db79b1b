package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * MaxRoiPool: each region (batch_index, x1, y1, x2, y2), scaled and rounded to pixels, is split into
 * pooled_shape bins whose maximum is taken; an empty bin gives 0. The bins depend only on the rois, so their
 * pixel lists are laid out on the host; the maxima are taken on the feature map's device.
 */
@OnnxOp(
        type = "MaxRoiPool",
        since = {1, 22})
public final class MaxRoiPool implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        long[] pooled = node.attrs().getInts("pooled_shape", null);
        if (pooled == null || pooled.length != 2) {
            throw new OnnxFormatException(node.describe() + ": pooled_shape must list 2 values");
        }
        if (pooled[0] < 1 || pooled[1] < 1 || pooled[0] > Integer.MAX_VALUE || pooled[1] > Integer.MAX_VALUE) {
            throw new OnnxFormatException(
                    node.describe() + ": pooled_shape " + Arrays.toString(pooled) + " must hold positive 32-bit sizes");
        }
        float scale = node.attrs().getFloat("spatial_scale", 1f);
        String owner = node.describe();
        return (ctx, in) -> {
            NDArray x = in.get(0);
            if (x.getShape().dimension() != 4) {
                throw new OnnxFormatException(owner + ": X must be (N, C, H, W), got " + x.getShape());
            }
            float[] rois = in.get(1).toType(DataType.FLOAT32, false).toFloatArray();
            int regions = rois.length / 5;
            int h = (int) x.getShape().get(2);
            int w = (int) x.getShape().get(3);
            int ph = (int) pooled[0];
            int pw = (int) pooled[1];
            long[] out = {regions, x.getShape().get(1), ph, pw};
            OpCost cost = OpCost.of(() -> owner + ": input " + x.getShape() + ", " + regions + " rois, output "
                            + Arrays.toString(out))
                    .tensor("output", out, x.getDataType())
                    .tensor("input copied per roi", new long[] {regions, out[1], (long) h * w}, x.getDataType());
            int[][] pixels = new int[regions * ph * pw][];
            long[] batch = new long[regions];
            int width = 1;
            for (int r = 0; r < regions; r++) {
                batch[r] = (long) rois[5 * r];
                if (batch[r] < 0 || batch[r] >= x.getShape().get(0)) {
                    throw new OnnxFormatException(owner + ": roi " + r + " has batch index " + rois[5 * r]);
                }
                int startW = round(rois[5 * r + 1] * scale);
                int startH = round(rois[5 * r + 2] * scale);
                int endW = round(rois[5 * r + 3] * scale);
                int endH = round(rois[5 * r + 4] * scale);
                double binH = Math.max(endH - startH + 1, 1) / (double) ph;
                double binW = Math.max(endW - startW + 1, 1) / (double) pw;
                for (int i = 0; i < ph; i++) {
                    int h0 = clamp((int) Math.floor(i * binH) + startH, h);
                    int h1 = clamp((int) Math.ceil((i + 1) * binH) + startH, h);
                    for (int j = 0; j < pw; j++) {
                        int w0 = clamp((int) Math.floor(j * binW) + startW, w);
                        int w1 = clamp((int) Math.ceil((j + 1) * binW) + startW, w);
                        int[] bin = new int[Math.max(0, h1 - h0) * Math.max(0, w1 - w0)];
                        int k = 0;
                        for (int y = h0; y < h1; y++) {
                            for (int xx = w0; xx < w1; xx++) {
                                bin[k++] = y * w + xx;
                            }
                        }
                        pixels[(r * ph + i) * pw + j] = bin;
                        width = Math.max(width, bin.length);
                    }
                }
            }
            long[] gathered = {regions, out[1], (long) ph * pw, width};
            cost.tensor("window values gathered per bin", gathered, x.getDataType())
                    .tensor("window index table", new long[] {regions, (long) ph * pw, width}, Long.BYTES)
                    .work(out, width);
            return new NDList(pool(ctx.manager(), x, batch, pixels, width, ph, pw));
        };
    }

    private static NDArray pool(NDManager m, NDArray x, long[] batch, int[][] pixels, int width, int ph, int pw) {
        int regions = batch.length;
        long c = x.getShape().get(1);
        long hw = x.getShape().get(2) * x.getShape().get(3);
        long bins = (long) ph * pw;
        long[] index = new long[(int) (bins * regions * width)];
        boolean[] valid = new boolean[index.length];
        boolean[] empty = new boolean[(int) (bins * regions)];
        for (int b = 0; b < pixels.length; b++) {
            empty[b] = pixels[b].length == 0;
            for (int j = 0; j < pixels[b].length; j++) {
                index[b * width + j] = pixels[b][j];
                valid[b * width + j] = true;
            }
        }
        NDArray maps = x.reshape(new Shape(x.getShape().get(0), c, hw));
        NDArray pick = m.create(batch).reshape(new Shape(regions, 1, 1)).broadcast(new Shape(regions, c, hw));
        NDArray perRegion = maps.gather(pick, 0);
        long k = bins * width;
        NDArray at = m.create(index, new Shape(regions, 1, k)).broadcast(new Shape(regions, c, k));
        NDArray values = perRegion.gather(at, 2).reshape(new Shape(regions, c, bins, width));
        NDArray ok = m.create(valid, new Shape(regions, 1, bins, width)).broadcast(values.getShape());
        NDArray floor = values.zerosLike().sub(Double.MAX_VALUE);
        NDArray max = NDArrays.where(ok, values, floor).max(new int[] {3});
        NDArray none = m.create(empty, new Shape(regions, 1, bins)).broadcast(max.getShape());
        return NDArrays.where(none, max.zerosLike(), max).reshape(new Shape(regions, c, ph, pw));
    }

    /** Rounds half away from zero (C's round), as ONNX Runtime does. */
    private static int round(double v) {
        return (int) (Math.signum(v) * Math.floor(Math.abs(v) + 0.5));
    }

    private static int clamp(int v, int size) {
        return Math.min(Math.max(v, 0), size);
    }
}
