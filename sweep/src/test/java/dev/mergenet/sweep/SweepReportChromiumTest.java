package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep's HTML page, rebuilt from trial records on disk and opened in headless Chromium: the selected
 * configuration per arm (chosen on validation, not test), the paired difference to alone with its 95% CI worked
 * out by hand here, the failed trial with its message, and both charts as PNGs that decode.
 */
class SweepReportChromiumTest {
    @TempDir
    Path dir;

    @Test
    void pageShowsSelectionDifferencesChartsAndFailuresInChromium() throws Exception {
        Path out = dir.resolve("out");
        List<TrialSpec> specs = new ArrayList<>();
        List<TrialRecord> records = new ArrayList<>();
        // alone: one configuration; kd: lr=0.1 has the better validation but the worse test accuracy
        add(specs, records, out, "alone", 0, Map.of(), 0.80, 0.79, null);
        add(specs, records, out, "alone", 1, Map.of(), 0.82, 0.81, null);
        add(specs, records, out, "kd", 0, Map.of("lr", "0.1"), 0.83, 0.90, null);
        add(specs, records, out, "kd", 1, Map.of("lr", "0.1"), 0.86, 0.91, null);
        add(specs, records, out, "kd", 0, Map.of("lr", "0.01"), 0.95, 0.85, null);
        add(specs, records, out, "kd", 1, Map.of("lr", "0.01"), 0, 0, "the target loss exploded & stopped <here>");
        for (TrialRecord r : records) {
            r.write(Files.createDirectories(TrialFiles.of(r.spec()).dir()).resolve("trial.json"));
        }
        SweepPlan plan =
                new SweepPlan("page", "Page test", "./mergenet experiment ...", out, List.of("alone", "kd"), specs);
        SweepManifest.of(plan).write(Files.createDirectories(out));
        SweepDriver.Rebuilt rebuilt = SweepDriver.rebuild(out, null);
        assertEquals(0, rebuilt.missing());

        String html = Files.readString(rebuilt.html());
        Matcher img = Pattern.compile("id=\"(diff-chart|curves-chart)\"[^>]*src=\"data:image/png;base64,([^\"]+)\"")
                .matcher(html);
        int charts = 0;
        while (img.find()) {
            BufferedImage png =
                    ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(img.group(2))));
            assertEquals(720, png.getWidth());
            assertEquals(360, png.getHeight());
            charts++;
        }
        assertEquals(2, charts);

        Process p = new ProcessBuilder(
                        "chromium",
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--user-data-dir=" + dir.resolve("chromium"),
                        "--dump-dom",
                        rebuilt.html().toUri().toString())
                .redirectError(dir.resolve("chromium.err").toFile())
                .start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("chromium.err")));
        String text = dom.replaceAll("\\s+", " ");
        // kd differences to alone, paired by seed, of the selected lr=0.1: +3 and +4 pp; mean 3.5, sd 0.7071,
        // t(1) = 12.706: half-width 12.706 * 0.7071 / sqrt(2) = 6.353
        assertTrue(
                text.contains("<td>kd</td><td>lr=0.1</td><td>2</td><td>2</td><td>84.50</td>"
                        + "<td>+3.50 [-2.85, +9.85]</td>"),
                text);
        assertTrue(text.contains("<td>alone</td><td>default</td><td>1</td><td>2</td><td>81.00</td><td>-</td>"), text);
        assertTrue(
                text.contains("kd_s1_g")
                        && text.contains("(lr=0.01): the target loss exploded &amp; stopped " + "&lt;here&gt;"),
                text);
        assertTrue(text.contains("6 of 6 trials have a record"), text);
        assertTrue(text.contains("id=\"diff-chart\"") && text.contains("id=\"curves-chart\""), text);
    }

    private static void add(
            List<TrialSpec> specs,
            List<TrialRecord> records,
            Path out,
            String arm,
            long seed,
            Map<String, String> grid,
            double finalTest,
            double bestVal,
            String failure) {
        TrialSpec s = new TrialSpec(
                "page",
                "/m/t.onnx",
                arm.equals("alone") ? null : "/m/s.onnx",
                "d",
                "csv:/x",
                arm,
                seed,
                new TreeMap<>(grid),
                new TreeMap<>(grid),
                0,
                0,
                out.toString());
        specs.add(s);
        TrialRow row = failure != null
                ? TrialRow.failed(s, failure)
                : new TrialRow(
                        s.id(),
                        arm,
                        seed,
                        s.configLabel(),
                        finalTest,
                        finalTest,
                        bestVal,
                        1.0,
                        Double.NaN,
                        0,
                        0,
                        0,
                        null);
        records.add(new TrialRecord(
                s.hash(),
                s,
                row,
                failure != null ? new double[0] : new double[] {bestVal - 0.1, bestVal},
                new double[] {finalTest - 0.1, finalTest}));
    }
}
