package dev.mergenet.importers.ops.math;

import dev.mergenet.importers.ops.spi.OnnxNode;
import java.util.Set;

/**
 * Whether an op may write into its first input, as PyTorch's ReLU(inplace=True), ReLU6(inplace=True) and ResNet's
 * {@code out += identity} do: it saves allocating a new activation and keeps the next op's input in cache.
 */
public final class InPlace {
    /** Ops whose converters' backward passes do not read the op's output, so a sole reader may overwrite it. */
    private static final Set<String> OUTPUT_NOT_SAVED = Set.of("Conv", "BatchNormalization", "Add");

    private InPlace() {}

    /** True when {@code node} is its first input's only reader and that input's producer never reads it back. */
    public static boolean overwritable(OnnxNode node) {
        if (node.enclosingGraph() == null || node.inputs().isEmpty()) {
            return false;
        }
        String producer = node.enclosingGraph().soleReaderProducer(node.inputs().get(0));
        return producer != null && OUTPUT_NOT_SAVED.contains(producer);
    }
}
