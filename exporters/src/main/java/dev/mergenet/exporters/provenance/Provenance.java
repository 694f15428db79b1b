package dev.mergenet.exporters.provenance;

import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import java.util.Optional;

/**
 * Our marks in an exported model's metadata_props: producer name and version and the lineage record. The
 * model's own producer_name/producer_version fields and other metadata entries are left as they were.
 */
public final class Provenance {
    public static final String PRODUCER = "MergeNet-J";
    public static final String VERSION = "0.1.0";
    public static final String KEY_PRODUCER = "mergenet.producer";
    public static final String KEY_VERSION = "mergenet.producer_version";
    public static final String KEY_LINEAGE = "mergenet.lineage";

    private Provenance() {}

    /** The model with our three entries set (replacing earlier ones of ours, keeping everything else). */
    public static ModelProto stamp(ModelProto model, Lineage lineage) {
        ModelProto.Builder b = model.toBuilder().clearMetadataProps();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            if (!e.getKey().equals(KEY_PRODUCER)
                    && !e.getKey().equals(KEY_VERSION)
                    && !e.getKey().equals(KEY_LINEAGE)) {
                b.addMetadataProps(e);
            }
        }
        b.addMetadataProps(entry(KEY_PRODUCER, PRODUCER));
        b.addMetadataProps(entry(KEY_VERSION, VERSION));
        b.addMetadataProps(entry(KEY_LINEAGE, lineage.toJson()));
        return b.build();
    }

    public static Optional<Lineage> lineage(ModelProto model) {
        return metadata(model, KEY_LINEAGE).map(Lineage::fromJson);
    }

    public static Optional<String> metadata(ModelProto model, String key) {
        return model.getMetadataPropsList().stream()
                .filter(e -> e.getKey().equals(key))
                .map(StringStringEntryProto::getValue)
                .findFirst();
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}
