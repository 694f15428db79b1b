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
     * The op type of the node producing {@code value} when exactly one input slot of this graph reads it and
     * nothing else does (no graph output, no subgraph, no Gradient node re-running part of the graph), else null:
     * such a value may be overwritten by its reader.
     */
    String soleReaderProducer(String value);

    /**
     * The nodes between {@code xs} and {@code y}, compiled as a graph with inputs xs and output y (other reads
     * stay free names resolved against the running graph).
     */
    Subgraph slice(List<String> xs, String y);
}
