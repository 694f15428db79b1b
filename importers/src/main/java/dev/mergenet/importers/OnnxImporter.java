package dev.mergenet.importers;

import ai.djl.ndarray.NDManager;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.graph.GraphCompiler;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.ops.OpRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Entry point: ONNX file or model to a trainable {@link OnnxGraphBlock} on the manager's device. */
public final class OnnxImporter {
    private static final OpRegistry STANDARD = OpRegistry.standard();

    private OnnxImporter() {}

    public static OpRegistry registry() {
        return STANDARD;
    }

    public static OnnxGraphBlock load(Path file, NDManager manager) {
        return load(OnnxModelReader.read(file), manager);
    }

    public static OnnxGraphBlock load(OnnxModel model, NDManager manager) {
        return load(model, manager, ImportOptions.DEFAULT);
    }

    /** With options, e.g. Identity-aliased weights to keep tied instead of splitting them. */
    public static OnnxGraphBlock load(OnnxModel model, NDManager manager, ImportOptions options) {
        return new OnnxGraphBlock(model, manager, STANDARD, options);
    }

    public static OnnxGraphBlock load(Path file, NDManager manager, ImportOptions options) {
        return load(OnnxModelReader.read(file), manager, options);
    }

    /** Every node the registry cannot run, with names, without building anything. */
    public static List<String> unsupportedNodes(OnnxModel model) {
        GraphCompiler compiler = new GraphCompiler(model, STANDARD);
        try {
            compiler.compile(model.proto().getGraph(), Set.of(), n -> false);
        } catch (MergeNetException e) {
            return List.of(e.getMessage());
        }
        return compiler.problems();
    }
}
