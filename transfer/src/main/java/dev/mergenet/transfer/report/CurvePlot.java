package dev.mergenet.transfer.report;

import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.io.AtomicFiles;
import dev.mergenet.transfer.train.EpochRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/** A PNG with two panels, loss and accuracy per epoch, for target and source (drawn headless with java.awt). */
public final class CurvePlot {
    private static final int W = 1100;
    private static final int H = 460;

    private record Series(String label, Color color, boolean dashed, ToDoubleFunction<EpochRecord> f) {}

    private CurvePlot() {}

    public static void write(java.nio.file.Path file, String title, List<EpochRecord> history) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 20, 22);
        Color blue = new Color(31, 119, 180);
        Color orange = new Color(255, 127, 14);
        List<Series> loss = List.of(
                new Series("target train", blue, false, r -> r.targetTrainLoss),
                new Series("target val", blue, true, r -> r.targetValLoss),
                new Series("source train", orange, false, r -> r.sourceTrainLoss),
                new Series("source val", orange, true, r -> r.sourceValLoss));
        List<Series> acc = List.of(
                new Series("target train", blue, false, r -> 100 * r.targetTrainAccuracy),
                new Series("target val", blue, true, r -> 100 * r.targetValAccuracy),
                new Series("source train", orange, false, r -> 100 * r.sourceTrainAccuracy),
                new Series("source val", orange, true, r -> 100 * r.sourceValAccuracy));
        panel(g, 50, 50, W / 2 - 80, H - 110, "loss", loss, history);
        panel(g, W / 2 + 40, 50, W / 2 - 80, H - 110, "accuracy (%)", acc, history);
        g.dispose();
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new MergeNetException(file + ": no PNG writer available");
            }
        });
    }

    private static void panel(Graphics2D g, int x0, int y0, int w, int h, String name, List<Series> series,
                              List<EpochRecord> history) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        List<Series> present = new ArrayList<>();
        for (Series s : series) {
            boolean any = false;
            for (EpochRecord r : history) {
                double v = s.f().applyAsDouble(r);
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                    any = true;
                }
            }
            if (any) {
                present.add(s);
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x0, y0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(name + " per epoch", x0, y0 - 6);
        if (present.isEmpty()) {
            return;
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1;
        }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        int n = history.size();
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            int y = y0 + h - (int) (h * (v - lo) / (hi - lo));
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x0 + 1, y, x0 + w - 1, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.3g", v), x0 - 46, y + 4);
        }
        for (int e = 0; e < n; e++) {
            int x = x0 + (n == 1 ? w / 2 : (int) ((long) w * e / (n - 1)));
            g.drawString(Integer.toString(history.get(e).epoch + 1), x - 4, y0 + h + 15);
        }
        int legendY = y0 + 16;
        for (Series s : present) {
            g.setColor(s.color());
            g.setStroke(s.dashed() ? new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {6, 4}, 0) : new BasicStroke(2));
            int px = -1;
            int py = -1;
            for (int e = 0; e < n; e++) {
                double v = s.f().applyAsDouble(history.get(e));
                if (!Double.isFinite(v)) {
                    continue;
                }
                int x = x0 + (n == 1 ? w / 2 : (int) ((long) w * e / (n - 1)));
                int y = y0 + h - (int) (h * (v - lo) / (hi - lo));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                g.fillOval(x - 3, y - 3, 6, 6);
                px = x;
                py = y;
            }
            g.drawLine(x0 + w - 150, legendY - 4, x0 + w - 120, legendY - 4);
            g.setColor(Color.BLACK);
            g.drawString(s.label(), x0 + w - 112, legendY);
            legendY += 16;
        }
    }
}
