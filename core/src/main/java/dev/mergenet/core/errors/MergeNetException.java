package dev.mergenet.core.errors;

/** Base of every error MergeNet-J reports to a user: the message alone must say what went wrong and where. */
public class MergeNetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MergeNetException(String message) {
        super(message);
    }

    public MergeNetException(String message, Throwable cause) {
        super(message, cause);
    }
}
