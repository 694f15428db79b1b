package dev.mergenet.importers.ops.spi;

import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.List;

/**
 * A graph-valued attribute (If branch, Loop or Scan body, Gradient slice) compiled at import by the graph
 * package; a kernel runs it with {@link OpContext#runSubgraph}. Its free names read the enclosing graph's values.
 */
public interface Subgraph {
    /** The names a caller binds by position (initializer-backed inputs excluded). */
    List<String> inputs();

    List<String> outputs();

    /** Output {@code i} as the graph declares it (type and shape, which may be unknown). */
    ValueInfoProto declaredOutput(int i);
}
