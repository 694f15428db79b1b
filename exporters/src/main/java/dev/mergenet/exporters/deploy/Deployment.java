package dev.mergenet.exporters.deploy;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a production caller needs from the file alone: the input shape the model was trained with (or, with
 * {@code embedPreprocessing}, the preprocessing as graph ops and the raw input shape), the class names and a
 * model card, in metadata_props under {@value #KEY_CLASS_NAMES}, {@value #KEY_PREPROCESSING} and
 * {@value #KEY_MODEL_CARD}. {@code input} and {@code classNames} may be null (nothing known).
 */
public record Deployment(InputPreprocessing input, boolean embedPreprocessing, List<String> classNames) {
    public static final Deployment NONE = new Deployment(null, false, null);
    public static final String KEY_CLASS_NAMES = "mergenet.class_names";
    public static final String KEY_PREPROCESSING = "mergenet.preprocessing";
    public static final String KEY_MODEL_CARD = "mergenet.model_card";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    public Deployment {
        classNames = classNames == null ? null : List.copyOf(classNames);
        if (embedPreprocessing && input == null) {
            throw new IllegalArgumentException(
                    "embedding the preprocessing needs the input adaptation it was trained" + " with");
        }
    }

    /** The graph part: declared input shape, embedded preprocessing. */
    public ModelProto applyToGraph(ModelProto model, String origin) {
        if (input == null) {
            return model;
        }
        if (!embedPreprocessing) {
            return InputShape.declare(model, input.trainedShape(), null, origin);
        }
        ModelProto embedded = PreprocessingGraph.embed(model, input, origin);
        long[] raw = input.rawShape();
        String[] symbolic = new String[raw.length];
        if (input.resizes()) { // the embedded Resize takes any size
            symbolic[1] = "height";
            symbolic[2] = "width";
        }
        return InputShape.declare(embedded, raw, symbolic, origin);
    }

    /** The metadata part: class names, preprocessing record and model card, replacing earlier entries of ours. */
    public ModelProto stamp(ModelProto model, Lineage lineage, String modelName) {
        ModelProto.Builder b = model.toBuilder().clearMetadataProps();
        Set<String> ours = Set.of(KEY_CLASS_NAMES, KEY_PREPROCESSING, KEY_MODEL_CARD);
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            if (!ours.contains(e.getKey())) {
                b.addMetadataProps(e);
            }
        }
        if (classNames != null) {
            b.addMetadataProps(entry(KEY_CLASS_NAMES, GSON.toJson(classNames)));
        }
        if (input != null) {
            b.addMetadataProps(entry(KEY_PREPROCESSING, preprocessingJson()));
        }
        boolean plainExport = input == null
                && classNames == null
                && (lineage == null
                        || (lineage.settings().isEmpty() && lineage.metrics().isEmpty()));
        if (!plainExport) { // a plain round trip gets no card: there is nothing to say beyond the lineage
            b.addMetadataProps(entry(KEY_MODEL_CARD, modelCard(lineage, modelName)));
        }
        return b.build();
    }

    /** The preprocessing as JSON: raw and trained shapes, each step, and whether the graph does it. */
    public String preprocessingJson() {
        JsonObject o = new JsonObject();
        o.add("rawShape", GSON.toJsonTree(input.rawShape()));
        o.add("trainedShape", GSON.toJsonTree(input.trainedShape()));
        o.add("resize", GSON.toJsonTree(input.resize()));
        o.addProperty("channels", input.channels());
        o.add("mean", GSON.toJsonTree(input.mean()));
        o.add("std", GSON.toJsonTree(input.std()));
        o.addProperty("embedded", embedPreprocessing);
        o.addProperty("inputScale", "[0, 1]");
        return GSON.toJson(o);
    }

    /** A short card for people: data, metrics, lineage, input and preprocessing, classes. */
    public String modelCard(Lineage lineage, String modelName) {
        StringBuilder s = new StringBuilder("# " + modelName + "\n");
        if (lineage != null) {
            s.append("Made by: mergenet ")
                    .append(lineage.operation())
                    .append(" of the model with SHA-256 ")
                    .append(lineage.inputModelSha256());
            if (lineage.sourceModelSha256() != null) {
                s.append(", knowledge from the source with SHA-256 ").append(lineage.sourceModelSha256());
            }
            s.append("\n");
            String data = lineage.settings().get("data");
            if (data != null) {
                s.append("Data: ").append(data).append("\n");
            }
            if (lineage.settings().containsKey("data_sizes")) {
                s.append("Data used: ")
                        .append(lineage.settings().get("data_sizes"))
                        .append(" samples\n");
            }
            if (lineage.settings().containsKey("data_sha256")) {
                s.append("Data fingerprint: ")
                        .append(lineage.settings().get("data_sha256"))
                        .append(" (")
                        .append(lineage.settings().getOrDefault("data_sha256_of", "SHA-256"))
                        .append(")\n");
            }
            if (!lineage.metrics().isEmpty()) {
                s.append("Metrics:");
                for (Map.Entry<String, Double> m : lineage.metrics().entrySet()) {
                    s.append(' ').append(m.getKey()).append('=').append(String.format("%.4f", m.getValue()));
                }
                s.append("\n");
            }
            if (!lineage.settings().isEmpty()) {
                s.append("Settings:");
                lineage.settings().forEach((k, v) -> {
                    if (!k.equals("data") && !k.startsWith("data_")) { // printed on the data lines above
                        s.append(' ').append(k).append('=').append(v).append(';');
                    }
                });
                s.append("\n");
            }
        }
        if (input != null) {
            long[] in = embedPreprocessing ? input.rawShape() : input.trainedShape();
            s.append("Input: float32 [batch, ")
                    .append(join(in))
                    .append("]")
                    .append(embedPreprocessing && input.resizes() ? " (any height and width)" : "")
                    .append(", raw values scaled to [0, 1]")
                    .append(embedPreprocessing ? "" : ", then preprocessed")
                    .append("\n");
            s.append("Preprocessing")
                    .append(embedPreprocessing ? " (in the graph): " : " (the caller's job): ")
                    .append(input.describe())
                    .append("\n");
        }
        if (classNames != null) {
            s.append("Classes (")
                    .append(classNames.size())
                    .append(", output index order): ")
                    .append(String.join(", ", classNames))
                    .append("\n");
        }
        return s.toString();
    }

    private static String join(long[] v) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : ", ").append(v[i]);
        }
        return s.toString();
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
