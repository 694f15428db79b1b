package dev.mergenet.importers.graph;

import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OpKernel;
import dev.mergenet.importers.ops.spi.Subgraph;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.util.List;

/**
 * A graph ready to run: nodes in topological order with their prepared kernels. {@code inputs} are the
 * graph inputs a caller binds by position (initializer-backed inputs excluded); {@code initializers} are
 * the graph's own tensors (only subgraphs use these; the top-level block turns them into parameters).
 */
public record CompiledGraph(
        GraphProto proto,
        List<String> inputs,
        List<String> outputs,
        List<Step> steps,
        List<TensorProto> initializers,
        DecodedInitializers decodedInitializers)
        implements Subgraph {

    public CompiledGraph(
            GraphProto proto,
            List<String> inputs,
            List<String> outputs,
            List<Step> steps,
            List<TensorProto> initializers) {
        this(proto, inputs, outputs, steps, initializers, new DecodedInitializers(initializers));
    }

    @Override
    public ValueInfoProto declaredOutput(int i) {
        return proto.getOutput(i);
    }

    /** A node, the kernel that runs it, and the values the run may free after it (read or made here last). */
    public record Step(OnnxNode node, OpKernel kernel, List<String> releasedAfter) {
        public Step(OnnxNode node, OpKernel kernel) {
            this(node, kernel, List.of());
        }
    }
}
