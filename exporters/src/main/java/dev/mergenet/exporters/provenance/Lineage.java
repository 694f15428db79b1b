package dev.mergenet.exporters.provenance;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.mergenet.core.errors.MergeNetException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an exported model came from: the SHA-256 of the model it was exported from (and of the source model
 * when MergeNet transferred knowledge into it), what was done (export, train, transfer) with which settings,
 * and the final metrics when known. Stored as JSON in the model's metadata_props.
 */
public record Lineage(
        String operation,
        String inputModelSha256,
        String sourceModelSha256,
        Map<String, String> settings,
        Map<String, Double> metrics) {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    public Lineage {
        if (operation == null || operation.isBlank()) {
            throw new IllegalArgumentException("lineage needs an operation (export, train, transfer)");
        }
        if (inputModelSha256 == null || !inputModelSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(
                    "lineage needs the input model's SHA-256 (64 hex digits), got " + inputModelSha256);
        }
        if (sourceModelSha256 != null && !sourceModelSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("source model SHA-256 must be 64 hex digits, got " + sourceModelSha256);
        }
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings == null ? Map.of() : settings));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics == null ? Map.of() : metrics));
    }

    /** A plain export (no training): only the input model's hash. */
    public static Lineage export(String inputModelSha256) {
        return new Lineage("export", inputModelSha256, null, Map.of(), Map.of());
    }

    public Lineage withSetting(String key, String value) {
        Map<String, String> s = new LinkedHashMap<>(settings);
        s.put(key, value);
        return new Lineage(operation, inputModelSha256, sourceModelSha256, s, metrics);
    }

    public Lineage withMetric(String key, double value) {
        Map<String, Double> m = new LinkedHashMap<>(metrics);
        m.put(key, value);
        return new Lineage(operation, inputModelSha256, sourceModelSha256, settings, m);
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    public static Lineage fromJson(String json) {
        try {
            Lineage l = GSON.fromJson(json, Lineage.class);
            if (l == null) {
                throw new MergeNetException("lineage record is empty");
            }
            return new Lineage(l.operation, l.inputModelSha256, l.sourceModelSha256, l.settings, l.metrics);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new MergeNetException("lineage record is not valid: " + e.getMessage(), e);
        }
    }
}
