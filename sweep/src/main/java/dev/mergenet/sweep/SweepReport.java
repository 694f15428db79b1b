package dev.mergenet.sweep;

import dev.mergenet.core.io.AtomicFiles;
import dev.mergenet.transfer.report.PairedStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * OUT/report.html, one self-contained page per sweep: the paired differences to alone with their 95% CIs and
 * the per-arm learning curves as charts (JFreeChart, as the run plots), the selected configurations, and the
 * failed trials with their messages.
 */
public final class SweepReport {
    private SweepReport() {}

    public static void write(Path file, SweepManifest m, List<TrialRecord> records) {
        AtomicFiles.writeString(file, html(m, records));
    }

    static String html(SweepManifest m, List<TrialRecord> records) {
        System.setProperty("java.awt.headless", "true");
        List<Selection.ArmResult> arms = Selection.select(m.arms(), records);
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(esc(m.title()))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #999;padding:4px 8px}</style></head><body>\n");
        sb.append("<h1>")
                .append(esc(m.title()))
                .append("</h1>\n<p>Command: <code>")
                .append(esc(m.command()))
                .append("</code></p>\n");
        sb.append(String.format(
                "<p id=\"progress\">%d of %d trials have a record.</p>%n",
                records.size(), m.trialHashes().size()));
        sb.append("<h2>Selected configuration per arm (on validation)</h2>\n<table id=\"selection\">"
                + "<tr><th>arm</th><th>selected configuration</th><th>configurations tried</th><th>seeds</th>"
                + "<th>final test acc (%)</th><th>Δ vs alone, 95% CI (pp)</th></tr>\n");
        Optional<Selection.ArmResult> alone =
                arms.stream().filter(a -> TrialRunner.isAlone(a.arm())).findFirst();
        for (Selection.ArmResult a : arms) {
            double[] d = alone.map(o -> SweepTable.pairedDiff(a, o, true)).orElse(null);
            double[] fin =
                    a.runs().stream().mapToDouble(r -> 100 * r.finalTest()).toArray();
            sb.append("<tr><td>")
                    .append(esc(a.arm()))
                    .append("</td><td>")
                    .append(esc(a.selected() == null ? "-" : a.selected()))
                    .append("</td><td>")
                    .append(a.configsTried())
                    .append("</td><td>")
                    .append(a.runs().size())
                    .append("</td><td>")
                    .append(fin.length == 0 ? "-" : String.format("%.2f", PairedStats.mean(fin)))
                    .append("</td><td>")
                    .append(
                            d == null
                                    ? "-"
                                    : Double.isNaN(d[1])
                                            ? String.format("%+.2f (n=1)", d[0])
                                            : String.format("%+.2f [%+.2f, %+.2f]", d[0], d[0] - d[1], d[0] + d[1]))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n");
        sb.append("<h2>Paired difference to alone (final test accuracy, 95% CI)</h2>\n");
        sb.append(img("diff-chart", differences(arms, alone)));
        sb.append("<h2>Learning curves (selected configuration, mean over seeds)</h2>\n");
        sb.append(img("curves-chart", curves(arms)));
        sb.append("<h2>Failed trials</h2>\n<ul id=\"failed\">\n");
        arms.forEach(a -> a.failed()
                .forEach(f -> sb.append("<li>")
                        .append(esc(f.id()))
                        .append(" (")
                        .append(esc(f.config()))
                        .append("): ")
                        .append(esc(f.failure()))
                        .append("</li>\n")));
        if (arms.stream().allMatch(a -> a.failed().isEmpty())) {
            sb.append("<li>none</li>\n");
        }
        sb.append("</ul>\n</body></html>\n");
        return sb.toString();
    }

    private static JFreeChart differences(List<Selection.ArmResult> arms, Optional<Selection.ArmResult> alone) {
        DefaultStatisticalCategoryDataset ds = new DefaultStatisticalCategoryDataset();
        for (Selection.ArmResult a : arms) {
            double[] d = alone.map(o -> SweepTable.pairedDiff(a, o, true)).orElse(null);
            if (d != null) {
                // the error bar is the CI's half-width (zero when one seed gives none)
                ds.add(d[0], Double.isNaN(d[1]) ? 0 : d[1], "Δ vs alone", a.arm());
            }
        }
        JFreeChart chart = ChartFactory.createLineChart(
                null, "arm", "Δ final test accuracy vs alone (pp)", ds, PlotOrientation.VERTICAL, false, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        // a point per arm with its CI as the error bar; the zero line is "no difference"
        plot.setRenderer(new StatisticalLineAndShapeRenderer(false, true));
        plot.addRangeMarker(new ValueMarker(0));
        return chart;
    }

    private static JFreeChart curves(List<Selection.ArmResult> arms) {
        XYSeriesCollection ds = new XYSeriesCollection();
        for (Selection.ArmResult a : arms) {
            if (a.selected() == null) {
                continue;
            }
            XYSeries s = new XYSeries(a.arm() + " (validation)");
            List<TrialRecord> runs = a.byConfig().get(a.selected()).stream()
                    .filter(r -> !r.row().failed())
                    .toList();
            int epochs = runs.stream().mapToInt(r -> r.valCurve().length).max().orElse(0);
            for (int e = 0; e < epochs; e++) {
                final int ep = e;
                double v = PairedStats.mean(runs.stream()
                        .filter(r -> r.valCurve().length > ep)
                        .mapToDouble(r -> r.valCurve()[ep])
                        .filter(Double::isFinite)
                        .toArray());
                if (Double.isFinite(v)) {
                    s.add(e + 1, 100 * v);
                }
            }
            ds.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                null, "epoch", "validation accuracy (%)", ds, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(new XYLineAndShapeRenderer(true, true)); // a one-epoch sweep still shows its points
        plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart;
    }

    private static String img(String id, JFreeChart chart) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(png, chart, 720, 360);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "<img id=\"" + id + "\" alt=\"" + id + "\" width=\"720\" height=\"360\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png.toByteArray()) + "\">\n";
    }

    private static String esc(String s) {
        return s == null
                ? ""
                : s.replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("\"", "&quot;");
    }
}
