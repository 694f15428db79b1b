package dev.mergenet.core.errors;

/** A model file (or tensor inside it) that is not valid ONNX or breaks a limit. Names the file and tensor. */
public class OnnxFormatException extends MergeNetException {
    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
