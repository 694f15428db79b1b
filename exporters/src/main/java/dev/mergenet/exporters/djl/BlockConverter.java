package dev.mergenet.exporters.djl;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;

/** Emits the ONNX nodes for one kind of DJL block; returns the names of the block's outputs. */
@FunctionalInterface
public interface BlockConverter {
    List<String> convert(ExportContext ctx, Block block, String path, List<String> inputs, Shape[] inputShapes);
}
