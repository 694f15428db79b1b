package dev.mergenet.core.errors;

/**
 * A model whose own numbers ask for more than the run allows: a tensor over the memory budget, a shape whose
 * element count overflows 64 bits, a loop over its iteration cap or time budget. Names the node, input and size.
 */
public class ResourceLimitException extends MergeNetException {
    private static final long serialVersionUID = 1L;

    public ResourceLimitException(String message) {
        super(message);
    }
}
