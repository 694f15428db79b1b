package dev.mergenet.exporters.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.builder.OnnxGraphBuilder;
import java.lang.reflect.Field;
import java.util.List;

/** What a block converter works with: the graph builder, the block's path for messages, and its parameters. */
public final class ExportContext {
    private final OnnxGraphBuilder graph;
    private final DjlModelExporter exporter;

    ExportContext(OnnxGraphBuilder graph, DjlModelExporter exporter) {
        this.graph = graph;
        this.exporter = exporter;
    }

    public OnnxGraphBuilder graph() {
        return graph;
    }

    /** Converts a child block (used by containers). */
    public List<String> convert(Block child, String path, List<String> inputs, Shape[] inputShapes) {
        return exporter.convert(child, path, inputs, inputShapes, this);
    }

    /** The named parameter's current value; fails naming the block if it is missing or uninitialized. */
    public static NDArray parameter(Block block, String path, String name) {
        for (var p : block.getParameters()) {
            if (p.getKey().equals(name)) {
                Parameter param = p.getValue();
                if (!param.isInitialized()) {
                    throw new MergeNetException("block '" + path + "': parameter '" + name
                            + "' is not initialized; initialize the block before exporting it");
                }
                return param.getArray();
            }
        }
        throw new MergeNetException(
                "block '" + path + "' (" + block.getClass().getSimpleName() + ") has no parameter '" + name + "'");
    }

    public static boolean hasParameter(Block block, String name) {
        for (var p : block.getParameters()) {
            if (p.getKey().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Reads a setting DJL keeps in a private field (it offers no getter for it). */
    public static Object field(Block block, Class<?> owner, String name, String path) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(block);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new MergeNetException(
                    "block '" + path + "' (" + block.getClass().getSimpleName() + "): cannot read its setting '" + name
                            + "' (" + e.getMessage() + ")",
                    e);
        }
    }
}
