package dev.mergenet.importers.onnx;

import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.OperatorSetIdProto;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed ONNX model, kept whole: the exporter writes back into this exact proto. {@code baseDir} is where
 * external data is resolved; {@code origin} names the model in every error message.
 */
public final class OnnxModel {
    /** The default ONNX operator domain ("ai.onnx" is the same). */
    public static final String DEFAULT_DOMAIN = "";

    private final ModelProto proto;
    private final String origin;
    private final Path file;
    private final Path baseDir;
    private final Map<String, Long> opsets;

    OnnxModel(ModelProto proto, String origin, Path file, Path baseDir) {
        this.proto = proto;
        this.origin = origin;
        this.file = file;
        this.baseDir = baseDir;
        Map<String, Long> map = new LinkedHashMap<>();
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            map.put(normalizeDomain(o.getDomain()), o.getVersion());
        }
        if (map.isEmpty()) {
            map.put(DEFAULT_DOMAIN, 1L); // IR version < 3 models carry no opset_import: opset 1
        }
        this.opsets = Collections.unmodifiableMap(map);
    }

    /**
     * "ai.onnx" and "" are the same domain.
     *
     * @param domain an operator domain, possibly null
     * @return the domain, with "ai.onnx" and null as ""
     */
    public static String normalizeDomain(String domain) {
        return domain == null || domain.equals("ai.onnx") ? DEFAULT_DOMAIN : domain;
    }

    /**
     * The model kept whole, as read or as edited.
     *
     * @return the ModelProto
     */
    public ModelProto proto() {
        return proto;
    }

    /**
     * The name used in error messages.
     *
     * @return the file name as given, or "&lt;bytes&gt;"
     */
    public String origin() {
        return origin;
    }

    /**
     * The file the model was read from, if any.
     *
     * @return the absolute file, or empty for a model read from bytes
     */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * The folder that external data locations are relative to.
     *
     * @return the folder, or null for models read from bytes without one
     */
    public Path baseDir() {
        return baseDir;
    }

    /**
     * Opset version per domain.
     *
     * @return domain ("" for the default ONNX domain) to version
     */
    public Map<String, Long> opsets() {
        return opsets;
    }

    /**
     * The opset version the model imports for a domain.
     *
     * @param domain an operator domain ("ai.onnx" and "" are the same)
     * @return the version, or -1 when the model does not import the domain
     */
    public long opset(String domain) {
        Long v = opsets.get(normalizeDomain(domain));
        return v == null ? -1 : v;
    }

    /**
     * The same model with another proto (used by graph edits and the exporter).
     *
     * @param newProto the edited ModelProto
     * @return a model with this one's origin, file and base folder
     */
    public OnnxModel withProto(ModelProto newProto) {
        return new OnnxModel(newProto, origin, file, baseDir);
    }
}
