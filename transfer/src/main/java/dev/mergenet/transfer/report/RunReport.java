package dev.mergenet.transfer.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.mergenet.core.io.AtomicFiles;
import dev.mergenet.transfer.training.EpochRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The JSON report of a run: settings, models, pairs, per-epoch history, and a summary (final and best-validation
 * test accuracy; mean seconds per epoch split into target, source and adapter).
 */
public final class RunReport {
    private final JsonObject root = new JsonObject();

    public RunReport(String command) {
        root.addProperty("tool", "MergeNet-J");
        root.addProperty("command", command);
    }

    public RunReport put(String key, String value) {
        root.addProperty(key, value);
        return this;
    }

    public RunReport put(String key, Number value) {
        root.add(key, number(value == null ? Double.NaN : value.doubleValue()));
        return this;
    }

    public RunReport put(String key, Map<String, ?> map) {
        JsonObject o = new JsonObject();
        map.forEach((k, v) ->
                o.add(k, v instanceof Number n ? number(n.doubleValue()) : new JsonPrimitive(String.valueOf(v))));
        root.add(key, o);
        return this;
    }

    public RunReport putJson(String key, JsonElement e) {
        root.add(key, e);
        return this;
    }

    public RunReport history(List<EpochRecord> history) {
        JsonArray epochs = new GsonBuilder()
                .serializeSpecialFloatingPointValues()
                .create()
                .toJsonTree(history)
                .getAsJsonArray();
        for (JsonElement e : epochs) {
            JsonObject o = e.getAsJsonObject();
            for (String k : o.keySet().toArray(new String[0])) {
                JsonElement v = o.get(k);
                if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() && !Double.isFinite(v.getAsDouble())) {
                    o.add(k, JsonNull.INSTANCE);
                }
            }
        }
        root.add("epochs", epochs);
        root.add("summary", summary(history));
        return this;
    }

    /** Final-epoch and best-validation-epoch numbers; mean times per epoch and the adapter's share. */
    public static JsonObject summary(List<EpochRecord> h) {
        JsonObject s = new JsonObject();
        if (h.isEmpty()) {
            return s;
        }
        EpochRecord last = h.get(h.size() - 1);
        // the earliest epoch of the best validation accuracy, as --keep best keeps it (ties go to the earlier)
        EpochRecord best = h.get(0);
        for (EpochRecord r : h) {
            if (r.targetValAccuracy > best.targetValAccuracy || Double.isNaN(best.targetValAccuracy)) {
                best = r;
            }
        }
        s.add("finalTestAccuracy", number(last.targetTestAccuracy));
        s.add("finalValAccuracy", number(last.targetValAccuracy));
        s.addProperty("bestValEpoch", best.epoch + 1);
        s.add("bestValAccuracy", number(best.targetValAccuracy));
        s.add("testAccuracyAtBestVal", number(best.targetTestAccuracy));
        double target = 0;
        double source = 0;
        double adapter = 0;
        double total = 0;
        for (EpochRecord r : h) {
            target += r.secondsTarget;
            source += r.secondsSource;
            adapter += r.secondsAdapter;
            total += r.secondsTotal;
        }
        int n = h.size();
        s.add("secondsPerEpoch", number(total / n));
        s.add("secondsTargetPerEpoch", number(target / n));
        s.add("secondsSourcePerEpoch", number(source / n));
        s.add("secondsAdapterPerEpoch", number(adapter / n));
        s.add("adapterShareOfEpoch", number(total > 0 ? adapter / total : Double.NaN));
        return s;
    }

    private static JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    public JsonObject json() {
        return root;
    }

    public void write(Path file) {
        AtomicFiles.writeString(
                file,
                new GsonBuilder()
                                .setPrettyPrinting()
                                .disableHtmlEscaping()
                                .serializeNulls()
                                .create()
                                .toJson(root) + "\n");
    }
}
