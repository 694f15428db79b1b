package dev.mergenet.core.errors;

import java.util.List;

/** Every (op, opset) of a model that no converter handles, reported together before anything runs. */
public class UnsupportedOpsException extends MergeNetException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    public UnsupportedOpsException(String modelName, List<String> problems) {
        super(modelName + ": " + problems.size() + " unsupported node(s): " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
