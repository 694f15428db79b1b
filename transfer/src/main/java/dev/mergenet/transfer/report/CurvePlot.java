package dev.mergenet.transfer.report;

import dev.mergenet.core.io.AtomicFiles;
import dev.mergenet.transfer.training.EpochRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A PNG of a run, drawn with JFreeChart: loss (axis from 0), accuracy in % (train, validation and test; a range of
 * at least {@value #MIN_ACCURACY_SPAN} points, so noise is not zoomed to fill the panel) and, when MergeNet ran,
 * the adapter's gradient norm, δ norm and relative injection jump (log scale), per epoch, for target and source.
 * The legend sits below the panels.
 */
public final class CurvePlot {
    public static final int WIDTH = 1100;
    public static final int HEIGHT = 820;
    static final double MIN_ACCURACY_SPAN = 10;
    private static final Color TARGET = new Color(31, 119, 180);
    private static final Color SOURCE = new Color(255, 127, 14);
    private static final Color GREEN = new Color(44, 160, 44);
    private static final Color PURPLE = new Color(148, 103, 189);
    private static final Stroke TRAIN = new BasicStroke(2f);
    private static final Stroke VALIDATION =
            new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {7, 4}, 0);
    private static final Stroke TEST =
            new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10, new float[] {1, 4}, 0);

    record Curve(String label, Color color, Stroke stroke, ToDoubleFunction<EpochRecord> value) {}

    private CurvePlot() {}

    /** "mergenet: models/cnn.onnx <- models/mlp.onnx": each model by its folder and file (more when they clash). */
    public static String title(String mode, Path target, Path source) {
        if (source == null) {
            return mode + ": " + tail(target, 2);
        }
        int parts = 2;
        while (tail(target, parts).equals(tail(source, parts)) && parts < deepest(target, source)) {
            parts++;
        }
        return mode + ": " + tail(target, parts) + " <- " + tail(source, parts);
    }

    public static void write(Path file, String title, List<EpochRecord> history) {
        System.setProperty("java.awt.headless", "true");
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis());
        plot.setGap(14);
        List<LegendItem> legend = new ArrayList<>();
        List<Curve> loss = List.of(
                new Curve("target train", TARGET, TRAIN, r -> r.targetTrainLoss),
                new Curve("target val", TARGET, VALIDATION, r -> r.targetValLoss),
                new Curve("target test", TARGET, TEST, r -> r.targetTestLoss),
                new Curve("source train", SOURCE, TRAIN, r -> r.sourceTrainLoss),
                new Curve("source val", SOURCE, VALIDATION, r -> r.sourceValLoss));
        NumberAxis lossAxis = new NumberAxis("loss");
        lossAxis.setAutoRangeIncludesZero(true); // a loss is never negative: the axis starts at 0
        plot.add(panel(lossAxis, loss, history, legend), 3);

        List<Curve> accuracy = List.of(
                new Curve("target train", TARGET, TRAIN, r -> 100 * r.targetTrainAccuracy),
                new Curve("target val", TARGET, VALIDATION, r -> 100 * r.targetValAccuracy),
                new Curve("target test", TARGET, TEST, r -> 100 * r.targetTestAccuracy),
                new Curve("source train", SOURCE, TRAIN, r -> 100 * r.sourceTrainAccuracy),
                new Curve("source val", SOURCE, VALIDATION, r -> 100 * r.sourceValAccuracy));
        NumberAxis accuracyAxis = new NumberAxis("accuracy (%)");
        accuracyAxis.setAutoRangeIncludesZero(false);
        XYPlot accuracyPlot = panel(accuracyAxis, accuracy, history, null);
        double[] range = accuracyRange(accuracy, history);
        if (range != null) {
            accuracyAxis.setRange(range[0], range[1]);
        }
        plot.add(accuracyPlot, 3);

        List<Curve> adapter = List.of(
                new Curve("adapter grad norm", GREEN, TRAIN, r -> r.adapterGradNorm),
                new Curve("adapter δ norm", PURPLE, TRAIN, r -> r.adapterDeltaNorm),
                new Curve("injection jump ‖W'−T‖/‖T‖", Color.DARK_GRAY, VALIDATION, r -> r.injectionRelativeJump));
        if (adapter.stream().anyMatch(c -> positive(c, history))) {
            LogAxis logAxis = new LogAxis("adapter (log)");
            logAxis.setSmallestValue(1e-12);
            logAxis.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0")); // 3.16E1, not 10^1.5
            plot.add(panel(logAxis, adapter, history, legend), 2);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        LegendItemCollection items = new LegendItemCollection();
        legend.forEach(items::add);
        LegendTitle legendTitle = new LegendTitle(() -> items);
        legendTitle.setPosition(RectangleEdge.BOTTOM);
        chart.addLegend(legendTitle);
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }

    /** One panel; curves with no finite value are left out. Legend entries go to {@code legend} when given. */
    private static XYPlot panel(
            ValueAxis axis, List<Curve> curves, List<EpochRecord> history, List<LegendItem> legend) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (Curve c : curves) {
            XYSeries s = new XYSeries(c.label());
            for (EpochRecord r : history) {
                double v = c.value().applyAsDouble(r);
                if (Double.isFinite(v) && (!(axis instanceof LogAxis) || v > 0)) {
                    s.add(r.epoch + 1, v);
                }
            }
            if (s.getItemCount() == 0) {
                continue;
            }
            int i = data.getSeriesCount();
            data.addSeries(s);
            renderer.setSeriesPaint(i, c.color());
            renderer.setSeriesStroke(i, c.stroke());
            renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
            if (legend != null) {
                LegendItem item = new LegendItem(
                        c.label(), null, null, null, new Line2D.Double(-12, 0, 12, 0), c.stroke(), c.color());
                legend.add(item);
            }
        }
        XYPlot p = new XYPlot(data, null, axis, renderer);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(new Color(210, 210, 210));
        p.setDomainGridlinePaint(new Color(230, 230, 230));
        return p;
    }

    /** The values' range widened to at least MIN_ACCURACY_SPAN points around its middle, inside [0, 100]. */
    static double[] accuracyRange(List<Curve> curves, List<EpochRecord> history) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Curve c : curves) {
            for (EpochRecord r : history) {
                double v = c.value().applyAsDouble(r);
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return null;
        }
        double pad = Math.max((hi - lo) * 0.08, (MIN_ACCURACY_SPAN - (hi - lo)) / 2);
        lo = Math.max(0, lo - pad);
        hi = Math.min(100, hi + pad);
        if (hi - lo < MIN_ACCURACY_SPAN) { // pushed against 0 or 100: extend the other way
            if (lo == 0) {
                hi = Math.min(100, lo + MIN_ACCURACY_SPAN);
            } else {
                lo = Math.max(0, hi - MIN_ACCURACY_SPAN);
            }
        }
        return new double[] {lo, hi};
    }

    /** The accuracy axis range for the target's training accuracy alone (tests). */
    static double[] accuracyRangeOfTargetTrain(List<EpochRecord> history) {
        return accuracyRange(
                List.of(new Curve("target train", TARGET, TRAIN, r -> 100 * r.targetTrainAccuracy)), history);
    }

    private static NumberAxis epochAxis() {
        NumberAxis x = new NumberAxis("epoch");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setAutoRangeIncludesZero(false);
        return x;
    }

    private static boolean positive(Curve c, List<EpochRecord> history) {
        return history.stream().mapToDouble(c.value()).anyMatch(v -> Double.isFinite(v) && v > 0);
    }

    /** The last {@code parts} names of the path ("models/cnn.onnx" for 2), or all of it when shorter. */
    static String tail(Path p, int parts) {
        Path abs = p.toAbsolutePath().normalize();
        int n = abs.getNameCount();
        return n <= parts ? abs.toString() : abs.subpath(n - parts, n).toString();
    }

    private static int deepest(Path a, Path b) {
        return Math.max(
                a.toAbsolutePath().normalize().getNameCount(),
                b.toAbsolutePath().normalize().getNameCount());
    }
}
