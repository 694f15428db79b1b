package dev.mergenet.importers.ops.spi;

import dev.mergenet.onnx.Onnx.NodeProto;
import java.util.List;

/**
 * What a converter may ask about the graph its node belongs to. The graph package indexes each graph once and
 * shares the answer among its nodes, so these queries never scan the graph.
 */
public interface EnclosingGraph {
    boolean isInitializer(String value);

    /** The Constant node producing {@code value}, or null. */
    NodeProto constantProducing(String value);

    /**
     * The nodes between {@code xs} and {@code y}, compiled as a graph with inputs xs and output y (other reads
     * stay free names resolved against the running graph).
     */
    Subgraph slice(List<String> xs, String y);
}
