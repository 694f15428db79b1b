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

/**
 * Entry point: ONNX file or model to a trainable {@link OnnxGraphBlock} on the manager's device. The block owns
 * its arrays: close it (try-with-resources) or its manager when done.
 */
public final class OnnxImporter {
    private static final OpRegistry STANDARD = OpRegistry.standard();

    private OnnxImporter() {}

    /**
     * The standard op registry every load uses.
     *
     * @return the converters for every supported (domain, op, since_version)
     */
    public static OpRegistry registry() {
        return STANDARD;
    }

    /**
     * Reads and imports an ONNX file.
     *
     * @param file the .onnx file; external data is resolved against its folder
     * @param manager owns the block's parameter and constant arrays, on its device
     * @return the trainable block
     * @throws dev.mergenet.core.errors.OnnxFormatException if the file is not a valid model
     * @throws dev.mergenet.core.errors.UnsupportedOpsException listing every node no converter handles
     */
    public static OnnxGraphBlock load(Path file, NDManager manager) {
        return load(OnnxModelReader.read(file), manager);
    }

    /**
     * Imports a model already read (and possibly edited, see {@link dev.mergenet.importers.edit}).
     *
     * @param model the parsed model
     * @param manager owns the block's parameter and constant arrays, on its device
     * @return the trainable block
     * @throws dev.mergenet.core.errors.UnsupportedOpsException listing every node no converter handles
     */
    public static OnnxGraphBlock load(OnnxModel model, NDManager manager) {
        return load(model, manager, ImportOptions.DEFAULT);
    }

    /**
     * Imports a model with options, e.g. Identity-aliased weights to keep tied instead of splitting them.
     *
     * @param model the parsed model
     * @param manager owns the block's parameter and constant arrays, on its device
     * @param options how to build the block
     * @return the trainable block
     * @throws dev.mergenet.core.errors.UnsupportedOpsException listing every node no converter handles
     * @throws MergeNetException if a name to keep tied is not a float initializer
     */
    public static OnnxGraphBlock load(OnnxModel model, NDManager manager, ImportOptions options) {
        return new OnnxGraphBlock(model, manager, STANDARD, options);
    }

    /**
     * Reads and imports an ONNX file with options.
     *
     * @param file the .onnx file
     * @param manager owns the block's parameter and constant arrays, on its device
     * @param options how to build the block
     * @return the trainable block
     * @throws dev.mergenet.core.errors.OnnxFormatException if the file is not a valid model
     * @throws dev.mergenet.core.errors.UnsupportedOpsException listing every node no converter handles
     */
    public static OnnxGraphBlock load(Path file, NDManager manager, ImportOptions options) {
        return load(OnnxModelReader.read(file), manager, options);
    }

    /**
     * Every node the registry cannot run, with names, without building anything.
     *
     * @param model the parsed model
     * @return one line per unsupported node; empty when the whole graph can be imported
     */
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
