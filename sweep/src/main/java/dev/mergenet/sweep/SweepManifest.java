package dev.mergenet.sweep;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OUT/sweep.json: the sweep's name, title, command, arms and the id and spec hash of every trial, written before
 * any trial runs, so the table can be rebuilt from the trial records on disk (`experiment --rebuild`).
 */
public record SweepManifest(
        String name, String title, String command, List<String> arms, Map<String, String> trialHashes) {
    public static SweepManifest of(SweepPlan plan) {
        Map<String, String> h = new LinkedHashMap<>();
        plan.trials().forEach(t -> h.put(t.id(), t.hash()));
        return new SweepManifest(plan.name(), plan.title(), plan.command(), plan.arms(), h);
    }

    public static Path file(Path outDir) {
        return outDir.resolve("sweep.json");
    }

    public void write(Path outDir) {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("title", title);
        o.addProperty("command", command);
        JsonArray a = new JsonArray();
        arms.forEach(a::add);
        o.add("arms", a);
        JsonObject t = new JsonObject();
        trialHashes.forEach(t::addProperty);
        o.add("trials", t);
        AtomicFiles.writeString(
                file(outDir),
                new GsonBuilder()
                        .setPrettyPrinting()
                        .disableHtmlEscaping()
                        .create()
                        .toJson(o));
    }

    public static SweepManifest read(Path outDir) {
        Path f = file(outDir);
        if (!Files.isRegularFile(f)) {
            throw new MergeNetException(f + ": no sweep here (run `mergenet experiment` with this --out first)");
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            List<String> arms = new ArrayList<>();
            o.getAsJsonArray("arms").forEach(e -> arms.add(e.getAsString()));
            Map<String, String> h = new LinkedHashMap<>();
            o.getAsJsonObject("trials")
                    .entrySet()
                    .forEach(e -> h.put(e.getKey(), e.getValue().getAsString()));
            return new SweepManifest(
                    o.get("name").getAsString(),
                    o.get("title").getAsString(),
                    o.get("command").getAsString(),
                    arms,
                    h);
        } catch (IOException | RuntimeException e) {
            throw new MergeNetException(f + ": unreadable sweep manifest: " + e.getMessage(), e);
        }
    }

    /** The records on disk that belong to this sweep (spec hash matching), in the manifest's order. */
    public List<TrialRecord> records(Path outDir) {
        List<TrialRecord> out = new ArrayList<>();
        trialHashes.forEach((id, hash) -> {
            TrialRecord r = TrialRecord.read(TrialFiles.of(outDir, id).record());
            if (r != null && r.specHash().equals(hash)) {
                out.add(r);
            }
        });
        return out;
    }
}
