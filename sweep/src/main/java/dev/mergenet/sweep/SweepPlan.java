package dev.mergenet.sweep;

import dev.mergenet.core.errors.MergeNetException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trials of one sweep: arms × grid points (over the settings each arm reads) × seeds, on one model pair.
 *
 * @param name    the sweep's name
 * @param title   the table's title
 * @param command the command line that made it (shown with the table)
 * @param outDir  the sweep's output folder
 * @param arms    the arms, in table order
 * @param trials  every trial
 */
public record SweepPlan(
        String name, String title, String command, Path outDir, List<String> arms, List<TrialSpec> trials) {
    /** The model files of one seed. */
    public record Models(Path target, Path source) {}

    /** Per seed, the models (built-in pairs write a target per seed; a user's pair is the same for every seed). */
    public interface ModelsPerSeed {
        Models models(long seed);
    }

    /** What every trial of the sweep shares. */
    public record Settings(String data, Map<String, String> params, Grid grid, int trainLimit, int evalLimit) {}

    public static SweepPlan of(
            String name,
            String title,
            String command,
            Path outDir,
            ModelsPerSeed models,
            List<String> arms,
            long[] seeds,
            Settings settings) {
        if (arms.isEmpty() || seeds.length == 0) {
            throw new MergeNetException("--arms and --seeds: a sweep needs at least one arm and one seed");
        }
        arms.forEach(TrialRunner::checkArm);
        settings.params().keySet().forEach(TrialRunner::checkKey);
        Path out = outDir.toAbsolutePath().normalize();
        Map<Path, String> digests = new HashMap<>();
        List<TrialSpec> trials = new ArrayList<>();
        for (String arm : arms) {
            for (TreeMap<String, String> point : settings.grid().points(arm)) {
                TreeMap<String, String> params = new TreeMap<>(settings.params());
                params.putAll(point);
                for (long seed : seeds) {
                    Models m = models.models(seed);
                    Path source = TrialRunner.needsSource(arm) ? m.source() : null;
                    if (TrialRunner.needsSource(arm) && source == null) {
                        throw new MergeNetException("--arms " + arm + ": needs a source model (--source)");
                    }
                    String digest = digest(m.target(), digests) + (source == null ? "" : "+" + digest(source, digests));
                    trials.add(new TrialSpec(
                            name,
                            abs(m.target()),
                            source == null ? null : abs(source),
                            digest,
                            settings.data(),
                            arm,
                            seed,
                            params,
                            point,
                            settings.trainLimit(),
                            settings.evalLimit(),
                            out.toString()));
                }
            }
        }
        return new SweepPlan(name, title, command, out, List.copyOf(arms), List.copyOf(trials));
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    /** SHA-256 of a model file, read once per sweep. */
    private static String digest(Path file, Map<Path, String> cache) {
        return cache.computeIfAbsent(file.toAbsolutePath().normalize(), f -> {
            try (InputStream in = Files.newInputStream(f)) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
                StringBuilder hex = new StringBuilder();
                for (byte b : md.digest()) {
                    hex.append(String.format("%02x", b));
                }
                return hex.toString();
            } catch (IOException e) {
                throw new MergeNetException(f + ": cannot read the model: " + e.getMessage(), e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
