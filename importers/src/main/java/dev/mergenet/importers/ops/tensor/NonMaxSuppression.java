package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * NonMaxSuppression: per batch and class, greedily keeps the highest-scoring boxes (score above
 * score_threshold) whose IoU with every kept box is at most iou_threshold, up to max_output_boxes_per_class.
 * Output: int64 [selected, 3] rows of (batch, class, box). Runs on the host: its output is indices only.
 */
@OnnxOp(
        type = "NonMaxSuppression",
        since = {10, 11})
public final class NonMaxSuppression implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean centerBox = node.attrs().getInt("center_point_box", 0) != 0;
        return (ctx, in) -> {
            NDArray boxes = in.get(0);
            NDArray scores = in.get(1);
            long[] bd = boxes.getShape().getShape();
            long[] sd = scores.getShape().getShape();
            if (bd.length != 3 || bd[2] != 4 || sd.length != 3 || sd[0] != bd[0] || sd[2] != bd[1]) {
                throw new MergeNetException(node.describe() + ": boxes " + boxes.getShape() + " and scores "
                        + scores.getShape() + " must be [B, N, 4] and [B, C, N]");
            }
            long maxPerClass = present(in, 2) ? in.scalarLong(2) : 0;
            double iouThreshold = present(in, 3) ? in.scalarDouble(3) : 0;
            boolean filter = present(in, 4);
            double scoreThreshold = filter ? in.scalarDouble(4) : 0;
            double[] box = boxes.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] score = scores.toType(DataType.FLOAT64, false).toDoubleArray();
            int batches = (int) bd[0];
            int n = (int) bd[1];
            int classes = (int) sd[1];
            List<long[]> rows = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                for (int c = 0; c < classes; c++) {
                    int offset = (b * classes + c) * n;
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        if (!filter || score[offset + i] > scoreThreshold) {
                            order.add(i);
                        }
                    }
                    order.sort(Comparator.comparingDouble((Integer i) -> -score[offset + i])
                            .thenComparingInt(i -> i));
                    List<Integer> kept = new ArrayList<>();
                    for (int i : order) {
                        if (kept.size() >= maxPerClass) {
                            break;
                        }
                        boolean suppressed = false;
                        for (int k : kept) {
                            if (iou(box, (b * n + i) * 4, (b * n + k) * 4, centerBox) > iouThreshold) {
                                suppressed = true;
                                break;
                            }
                        }
                        if (!suppressed) {
                            kept.add(i);
                            rows.add(new long[] {b, c, i});
                        }
                    }
                }
            }
            long[] flat = new long[rows.size() * 3];
            for (int r = 0; r < rows.size(); r++) {
                System.arraycopy(rows.get(r), 0, flat, r * 3, 3);
            }
            return new NDList(ctx.manager().create(flat, new Shape(rows.size(), 3)));
        };
    }

    private static boolean present(OpInputs in, int i) {
        return in.has(i) && in.get(i).getShape().size() > 0;
    }

    /** Intersection over union; 0 when either box is empty. */
    private static double iou(double[] v, int p, int q, boolean center) {
        double[] a = corners(v, p, center);
        double[] b = corners(v, q, center);
        double iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        double ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double areaA = (a[2] - a[0]) * (a[3] - a[1]);
        double areaB = (b[2] - b[0]) * (b[3] - b[1]);
        double union = areaA + areaB - inter;
        return areaA <= 0 || areaB <= 0 || union <= 0 ? 0 : inter / union;
    }

    /** [min0, min1, max0, max1] from corner pairs (either diagonal) or from centre and size. */
    private static double[] corners(double[] v, int p, boolean center) {
        if (center) {
            double cx = v[p];
            double cy = v[p + 1];
            double w = v[p + 2];
            double h = v[p + 3];
            return new double[] {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
        }
        return new double[] {
            Math.min(v[p], v[p + 2]),
            Math.min(v[p + 1], v[p + 3]),
            Math.max(v[p], v[p + 2]),
            Math.max(v[p + 1], v[p + 3])
        };
    }
}
