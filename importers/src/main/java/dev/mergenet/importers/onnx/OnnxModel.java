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

    /** "ai.onnx" and "" are the same domain. */
    public static String normalizeDomain(String domain) {
        return domain == null || domain.equals("ai.onnx") ? DEFAULT_DOMAIN : domain;
    }

    public ModelProto proto() {
        return proto;
    }

    /** The file name (or "&lt;bytes&gt;") used in error messages. */
    public String origin() {
        return origin;
    }

    /** The file the model was read from, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Folder that external data locations are relative to; null for models read from bytes. */
    public Path baseDir() {
        return baseDir;
    }

    /** Opset version per domain ("" for the default ONNX domain). */
    public Map<String, Long> opsets() {
        return opsets;
    }

    public long opset(String domain) {
        Long v = opsets.get(normalizeDomain(domain));
        return v == null ? -1 : v;
    }

    /** The same model with another proto (used by graph edits and the exporter). */
    public OnnxModel withProto(ModelProto newProto) {
        return new OnnxModel(newProto, origin, file, baseDir);
    }
}
