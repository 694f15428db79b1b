package dev.mergenet.sweep;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One trial of a sweep, as it travels to a Spark task: plain strings and numbers (no lambda, no Path), so it
 * serializes and means the same on every machine that shares the sweep's output folder.
 *
 * @param sweep        the sweep's name (the folder name of its trials and the table's title)
 * @param target       the target ONNX file
 * @param source       the source ONNX file, or null (alone only)
 * @param inputsDigest SHA-256 of the input model files, so a changed model is not taken for a finished trial
 * @param data         the data spec (e.g. fashion-mnist:DIR)
 * @param arm          the arm: a mode, with :gated or :released for adapter modes and @key=value settings
 * @param seed         the seed
 * @param params       every training setting by option name (epochs, lr, adapter-lr, ...), grid values included
 * @param grid         the grid point alone (the subset of params a grid varies), for the configuration's label
 * @param trainLimit   fixed training subset size (0: all)
 * @param evalLimit    validation/test samples used (0: all)
 * @param outDir       the sweep's output folder; the trial writes under outDir/trials/ID
 */
public record TrialSpec(
        String sweep,
        String target,
        String source,
        String inputsDigest,
        String data,
        String arm,
        long seed,
        SortedMap<String, String> params,
        SortedMap<String, String> grid,
        int trainLimit,
        int evalLimit,
        String outDir)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public TrialSpec {
        params = new TreeMap<>(params);
        grid = new TreeMap<>(grid);
    }

    /** The grid point as "key=value,key=value" ("default" when the sweep has no grid). */
    public String configLabel() {
        return label(grid);
    }

    static String label(Map<String, String> grid) {
        if (grid.isEmpty()) {
            return "default";
        }
        StringBuilder sb = new StringBuilder();
        grid.forEach((k, v) ->
                sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    /** A file-name-safe id, unique within the sweep: arm, seed and (with a grid) a short digest of the grid point. */
    public String id() {
        String a = arm.replaceAll("[^A-Za-z0-9._-]", "-");
        return a + "_s" + seed
                + (grid.isEmpty() ? "" : "_g" + sha256(configLabel()).substring(0, 8));
    }

    /** Everything that decides the trial's result, hashed: a stored report is reused only when this matches. */
    public String hash() {
        StringBuilder sb = new StringBuilder();
        sb.append("target=")
                .append(target)
                .append('\n')
                .append("source=")
                .append(source)
                .append('\n')
                .append("inputs=")
                .append(inputsDigest)
                .append('\n')
                .append("data=")
                .append(data)
                .append('\n')
                .append("arm=")
                .append(arm)
                .append('\n')
                .append("seed=")
                .append(seed)
                .append('\n')
                .append("trainLimit=")
                .append(trainLimit)
                .append('\n')
                .append("evalLimit=")
                .append(evalLimit)
                .append('\n');
        params.forEach(
                (k, v) -> sb.append("param.").append(k).append('=').append(v).append('\n'));
        return sha256(sb.toString());
    }

    static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : d) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }
}
