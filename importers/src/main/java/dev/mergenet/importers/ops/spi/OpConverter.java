package dev.mergenet.importers.ops.spi;

/**
 * Converts one ONNX op. {@link #prepare} runs once at import: it parses the attributes into typed values and
 * returns the kernel that the graph calls on every forward pass.
 */
@FunctionalInterface
public interface OpConverter {
    OpKernel prepare(OnnxNode node);
}
