package dev.mergenet.sweep;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.mergenet.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sweep's record of one trial (trial.json): the spec and its hash, the summary row and the per-epoch
 * validation/test curves. Written atomically and last, so the table can always be rebuilt from these files.
 */
public record TrialRecord(String specHash, TrialSpec spec, TrialRow row, double[] valCurve, double[] testCurve) {
    public void write(Path file) {
        JsonObject o = new JsonObject();
        o.addProperty("specHash", specHash);
        o.add("spec", specJson(spec));
        JsonObject r = new JsonObject();
        r.addProperty("status", row.failed() ? "failed" : "ok");
        if (row.failed()) {
            r.addProperty("failure", row.failure());
        }
        r.add("finalTestAccuracy", num(row.finalTest()));
        r.add("testAccuracyAtBestVal", num(row.testAtBestVal()));
        r.add("bestValAccuracy", num(row.bestVal()));
        r.add("secondsPerEpoch", num(row.secondsPerEpoch()));
        r.add("adapterShareOfEpoch", num(row.adapterShare()));
        r.addProperty("resumedFromEpoch", row.resumedFromEpoch());
        r.addProperty("testSamples", row.testSamples());
        r.addProperty("classes", row.classes());
        o.add("row", r);
        o.add("valCurve", curve(valCurve));
        o.add("testCurve", curve(testCurve));
        AtomicFiles.writeString(
                file,
                new GsonBuilder()
                        .setPrettyPrinting()
                        .disableHtmlEscaping()
                        .create()
                        .toJson(o));
    }

    /** The record in {@code file}, or null when it is missing or unreadable (the trial then runs again). */
    public static TrialRecord read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            TrialSpec spec = spec(o.getAsJsonObject("spec"));
            JsonObject r = o.getAsJsonObject("row");
            String failure = "failed".equals(r.get("status").getAsString())
                    ? r.get("failure").getAsString()
                    : null;
            TrialRow row = new TrialRow(
                    spec.id(),
                    spec.arm(),
                    spec.seed(),
                    spec.configLabel(),
                    d(r, "finalTestAccuracy"),
                    d(r, "testAccuracyAtBestVal"),
                    d(r, "bestValAccuracy"),
                    d(r, "secondsPerEpoch"),
                    d(r, "adapterShareOfEpoch"),
                    r.get("resumedFromEpoch").getAsInt(),
                    count(r, "testSamples"),
                    count(r, "classes"),
                    failure);
            return new TrialRecord(
                    o.get("specHash").getAsString(), spec, row, curve(o.get("valCurve")), curve(o.get("testCurve")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Writes a spec alone (the file a trial's own JVM reads its trial from), atomically. */
    static void writeSpec(Path file, TrialSpec spec) {
        AtomicFiles.writeString(
                file,
                new GsonBuilder()
                        .setPrettyPrinting()
                        .disableHtmlEscaping()
                        .create()
                        .toJson(specJson(spec)));
    }

    /** The spec {@link #writeSpec} wrote. */
    static TrialSpec readSpec(Path file) throws IOException {
        return spec(JsonParser.parseString(Files.readString(file)).getAsJsonObject());
    }

    private static JsonObject specJson(TrialSpec s) {
        JsonObject o = new JsonObject();
        o.addProperty("sweep", s.sweep());
        o.addProperty("target", s.target());
        o.addProperty("source", s.source());
        o.addProperty("inputsDigest", s.inputsDigest());
        o.addProperty("data", s.data());
        o.addProperty("arm", s.arm());
        o.addProperty("seed", s.seed());
        o.add("params", map(s.params()));
        o.add("grid", map(s.grid()));
        o.addProperty("trainLimit", s.trainLimit());
        o.addProperty("evalLimit", s.evalLimit());
        o.addProperty("outDir", s.outDir());
        return o;
    }

    private static TrialSpec spec(JsonObject o) {
        return new TrialSpec(
                o.get("sweep").getAsString(),
                o.get("target").getAsString(),
                o.has("source") && !o.get("source").isJsonNull()
                        ? o.get("source").getAsString()
                        : null,
                o.get("inputsDigest").getAsString(),
                o.get("data").getAsString(),
                o.get("arm").getAsString(),
                o.get("seed").getAsLong(),
                map(o.getAsJsonObject("params")),
                map(o.getAsJsonObject("grid")),
                o.get("trainLimit").getAsInt(),
                o.get("evalLimit").getAsInt(),
                o.get("outDir").getAsString());
    }

    private static JsonObject map(Map<String, String> m) {
        JsonObject o = new JsonObject();
        m.forEach(o::addProperty);
        return o;
    }

    private static TreeMap<String, String> map(JsonObject o) {
        TreeMap<String, String> m = new TreeMap<>();
        o.entrySet().forEach(e -> m.put(e.getKey(), e.getValue().getAsString()));
        return m;
    }

    private static JsonElement num(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    private static double d(JsonObject o, String k) {
        JsonElement v = o.get(k);
        return v == null || v.isJsonNull() ? Double.NaN : v.getAsDouble();
    }

    /** A count, 0 (unknown) in records written before it was kept. */
    private static int count(JsonObject o, String k) {
        JsonElement v = o.get(k);
        return v == null || v.isJsonNull() ? 0 : v.getAsInt();
    }

    private static JsonArray curve(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v == null ? new double[0] : v) {
            a.add(num(x));
        }
        return a;
    }

    private static double[] curve(JsonElement e) {
        if (e == null || !e.isJsonArray()) {
            return new double[0];
        }
        JsonArray a = e.getAsJsonArray();
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
        }
        return v;
    }
}
