package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.MemoryBudget;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.Arrays;

/**
 * RoiAlign: for every region, output bin and sampling point, a bilinear sample of the region's feature map;
 * bins average (avg) or take the largest weighted corner (max, as ONNX Runtime does). The sampling positions
 * depend only on the (small) rois tensor, so they are laid out on the host; the feature map is gathered on its
 * device, and gradients reach X.
 */
@OnnxOp(
        type = "RoiAlign",
        since = {10, 16, 22})
public final class RoiAlign implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        String owner = node.describe();
        boolean max = switch (node.attrs().getString("mode", "avg")) {
            case "avg" -> false;
            case "max" -> true;
            default -> throw new OnnxFormatException(owner + ": mode must be avg or max");
        };
        int outH = positiveInt(node.attrs().getInt("output_height", 1), owner, "output_height", 1);
        int outW = positiveInt(node.attrs().getInt("output_width", 1), owner, "output_width", 1);
        int samplingRatio = positiveInt(node.attrs().getInt("sampling_ratio", 0), owner, "sampling_ratio", 0);
        float scale = node.attrs().getFloat("spatial_scale", 1f);
        // Version 10 behaves as output_half_pixel; 16 added the attribute with half_pixel as default.
        String transform = node.sinceVersion() >= 16
                ? node.attrs().getString("coordinate_transformation_mode", "half_pixel")
                : "output_half_pixel";
        boolean halfPixel = transform.equals("half_pixel");
        if (!halfPixel && !transform.equals("output_half_pixel")) {
            throw new OnnxFormatException(owner + ": coordinate_transformation_mode '" + transform + "' is unknown");
        }
        return (ctx, in) -> {
            NDArray x = in.get(0);
            if (x.getShape().dimension() != 4) {
                throw new OnnxFormatException(owner + ": X must be (N, C, H, W), got " + x.getShape());
            }
            float[] rois = in.get(1).toType(DataType.FLOAT32, false).toFloatArray();
            long[] batch = in.longs(2);
            int regions = batch.length;
            if (rois.length != regions * 4) {
                throw new OnnxFormatException(owner + ": rois must be (" + regions + ", 4)");
            }
            long n = x.getShape().get(0);
            long c = x.getShape().get(1);
            int h = (int) x.getShape().get(2);
            int w = (int) x.getShape().get(3);
            long[] out = {regions, c, outH, outW};
            OpCost cost = OpCost.of(() -> owner + ": input " + x.getShape() + ", " + regions + " rois, output "
                            + Arrays.toString(out))
                    .tensor("output", out, x.getDataType())
                    .tensor("input copied per roi", new long[] {regions, c, (long) h * w}, x.getDataType());
            Layout layout = new Layout(regions, outH * outW, h, w, owner);
            for (int r = 0; r < regions; r++) {
                if (batch[r] < 0 || batch[r] >= n) {
                    throw new OnnxFormatException(owner + ": batch index " + batch[r] + " is outside [0, " + n + ")");
                }
                layout.addRegion(r, rois, scale, halfPixel, outH, outW, samplingRatio, max);
            }
            layout.checkCost(cost, out, x.getDataType());
            return new NDList(layout.sample(ctx.manager(), x, batch, c, outH, outW, max));
        };
    }

    private static int positiveInt(long value, String owner, String name, int min) {
        if (value < min || value > Integer.MAX_VALUE) {
            throw new OnnxFormatException(owner + ": attribute " + name + " = " + value + " is outside [" + min + ", "
                    + Integer.MAX_VALUE + "]");
        }
        return (int) value;
    }

    /** Per region: for each output bin, the (sampling point x 4 corners) input indices and weights. */
    private static final class Layout {
        private final int regions;
        private final int bins;
        private final int h;
        private final int w;
        private final int[][][] index;
        private final float[][][] weight;
        private final boolean[][][] valid;
        private int width;

        private final String owner;
        private long points;

        Layout(int regions, int bins, int h, int w, String owner) {
            this.owner = owner;
            this.regions = regions;
            this.bins = bins;
            this.h = h;
            this.w = w;
            this.index = new int[regions][bins][];
            this.weight = new float[regions][bins][];
            this.valid = new boolean[regions][bins][];
        }

        void addRegion(
                int r, float[] rois, float scale, boolean halfPixel, int outH, int outW, int ratio, boolean max) {
            double offset = halfPixel ? 0.5 : 0;
            double startW = rois[4 * r] * scale - offset;
            double startH = rois[4 * r + 1] * scale - offset;
            double roiW = rois[4 * r + 2] * scale - offset - startW;
            double roiH = rois[4 * r + 3] * scale - offset - startH;
            if (!halfPixel) {
                roiW = Math.max(roiW, 1);
                roiH = Math.max(roiH, 1);
            }
            double binH = roiH / outH;
            double binW = roiW / outW;
            int gridH = ratio > 0 ? ratio : (int) Math.ceil(roiH / outH);
            int gridW = ratio > 0 ? ratio : (int) Math.ceil(roiW / outW);
            // the sampling grid grows with the region's size, which comes from the rois input
            long[] grid = {bins, Math.abs((long) gridH), Math.abs((long) gridW), 4};
            points = ShapeMath.add(points, ShapeMath.elements(grid, owner + ": sampling grid"), owner);
            MemoryBudget.checkElements(
                    owner + ": sampling grid of " + points + " points for input '" + "rois'",
                    points,
                    Integer.BYTES + Float.BYTES + 1);
            int count = Math.max(gridH * gridW, 1);
            for (int ph = 0; ph < outH; ph++) {
                for (int pw = 0; pw < outW; pw++) {
                    int bin = ph * outW + pw;
                    int[] idx = new int[gridH * gridW * 4];
                    float[] wt = new float[idx.length];
                    boolean[] ok = new boolean[idx.length];
                    int k = 0;
                    for (int iy = 0; iy < gridH; iy++) {
                        double y = startH + ph * binH + (iy + 0.5) * binH / gridH;
                        for (int ix = 0; ix < gridW; ix++) {
                            double xx = startW + pw * binW + (ix + 0.5) * binW / gridW;
                            corners(y, xx, idx, wt, ok, k, max ? 1 : 1.0 / count);
                            k += 4;
                        }
                    }
                    index[r][bin] = idx;
                    weight[r][bin] = wt;
                    valid[r][bin] = ok;
                    width = Math.max(width, idx.length);
                }
            }
        }

        /** Bilinear corners of one sampling point; points beyond one pixel outside the map contribute zero. */
        private void corners(double y, double x, int[] idx, float[] wt, boolean[] ok, int k, double factor) {
            if (y < -1 || y > h || x < -1 || x > w) {
                for (int j = 0; j < 4; j++) {
                    ok[k + j] = true;
                }
                return;
            }
            y = Math.max(y, 0);
            x = Math.max(x, 0);
            int yLow = (int) y;
            int xLow = (int) x;
            int yHigh;
            int xHigh;
            if (yLow >= h - 1) {
                yHigh = yLow = h - 1;
                y = yLow;
            } else {
                yHigh = yLow + 1;
            }
            if (xLow >= w - 1) {
                xHigh = xLow = w - 1;
                x = xLow;
            } else {
                xHigh = xLow + 1;
            }
            double ly = y - yLow;
            double lx = x - xLow;
            double hy = 1 - ly;
            double hx = 1 - lx;
            int[] at = {yLow * w + xLow, yLow * w + xHigh, yHigh * w + xLow, yHigh * w + xHigh};
            double[] f = {hy * hx, hy * lx, ly * hx, ly * lx};
            for (int j = 0; j < 4; j++) {
                idx[k + j] = at[j];
                wt[k + j] = (float) (f[j] * factor);
                ok[k + j] = true;
            }
        }

        /** The gathered (regions, C, bins, taps) values and the host tables, sized once every region is laid out. */
        void checkCost(OpCost cost, long[] out, DataType type) {
            cost.tensor("sampled values gathered per bin", new long[] {regions, out[1], bins, width}, type)
                    .tensor("sampling tables", new long[] {regions, bins, width}, Long.BYTES + Float.BYTES + 1)
                    .work(out, width);
        }

        NDArray sample(NDManager m, NDArray x, long[] batch, long c, int outH, int outW, boolean max) {
            long hw = (long) h * w;
            long[] flatIndex = new long[regions * bins * width];
            float[] flatWeight = new float[flatIndex.length];
            boolean[] flatValid = new boolean[flatIndex.length];
            for (int r = 0; r < regions; r++) {
                for (int b = 0; b < bins; b++) {
                    int base = (r * bins + b) * width;
                    for (int j = 0; j < index[r][b].length; j++) {
                        flatIndex[base + j] = index[r][b][j];
                        flatWeight[base + j] = weight[r][b][j];
                        flatValid[base + j] = valid[r][b][j];
                    }
                }
            }
            long k = (long) bins * width;
            NDArray maps = x.reshape(new Shape(x.getShape().get(0), c, hw));
            NDArray pick = m.create(batch).reshape(new Shape(regions, 1, 1)).broadcast(new Shape(regions, c, hw));
            NDArray perRegion = maps.gather(pick, 0);
            NDArray spatial = m.create(flatIndex, new Shape(regions, 1, k)).broadcast(new Shape(regions, c, k));
            NDArray values = perRegion
                    .gather(spatial, 2)
                    .mul(m.create(flatWeight, new Shape(regions, 1, k)).toType(x.getDataType(), false))
                    .reshape(new Shape(regions, c, bins, width));
            NDArray pooled;
            if (max) {
                NDArray ok = m.create(flatValid, new Shape(regions, 1, bins, width))
                        .broadcast(new Shape(regions, c, bins, width));
                NDArray floor = values.zerosLike().sub(Double.MAX_VALUE);
                pooled = NDArrays.where(ok, values, floor).max(new int[] {3});
            } else {
                pooled = values.sum(new int[] {3});
            }
            return pooled.reshape(new Shape(regions, c, outH, outW));
        }
    }
}
