package dev.mergenet.core.errors;

/** A node that failed while the graph ran; the message names the node, its op and the input shapes. */
public class NodeExecutionException extends MergeNetException {
    private static final long serialVersionUID = 1L;

    public NodeExecutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
