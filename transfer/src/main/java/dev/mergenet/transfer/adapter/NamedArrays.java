package dev.mergenet.transfer.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.ndarray.Scopes;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The adapter's tensors by dotted name: trainable parameters (with gradients) and persistent buffers (spectral-norm
 * u and v, never differentiated). Names follow the PyTorch module paths so the weight-decay grouping by name
 * ("bias", "norm") matches the released code. All arrays live in the owner manager; a forward pass reads them
 * through {@link Scoped} aliases so its intermediates die with the step's sub-manager.
 */
public final class NamedArrays {
    private final NDManager owner;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    NamedArrays(NDManager owner) {
        this.owner = owner;
    }

    void addParameter(String name, NDArray array) {
        if (parameters.containsKey(name) || buffers.containsKey(name)) {
            throw new IllegalStateException("duplicate adapter tensor " + name);
        }
        array.attach(owner);
        array.setName(name);
        array.setRequiresGradient(true);
        parameters.put(name, array);
    }

    void addBuffer(String name, NDArray array) {
        array.attach(owner);
        array.setName(name);
        buffers.put(name, array);
    }

    /** Replaces a buffer (swapped, never modified in place, so no recorded autograd graph sees a change). */
    void replaceBuffer(String name, NDArray array) {
        NDArray copy = array.stopGradient().duplicate();
        copy.attach(owner);
        copy.setName(name);
        NDArray old = buffers.put(name, copy);
        if (old != null) {
            old.close();
        }
    }

    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public Map<String, NDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Overwrites a buffer's values (checkpoint restore). */
    public void restoreBuffer(String name, NDArray values) {
        if (!buffers.containsKey(name)) {
            throw new IllegalArgumentException("adapter has no buffer " + name);
        }
        replaceBuffer(name, values);
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        return parameters.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    public NDManager owner() {
        return owner;
    }

    /** Frees every parameter and buffer. */
    void close() {
        parameters.values().forEach(NDArray::close);
        buffers.values().forEach(NDArray::close);
        parameters.clear();
        buffers.clear();
    }

    /** Differentiable aliases of the parameters (and plain aliases of the buffers) owned by a step's scope. */
    public Scoped scoped(NDManager scope) {
        return new Scoped(scope);
    }

    /** Per-step view: each tensor is aliased once into the scope, so every op on it creates arrays there. */
    public final class Scoped {
        private final NDManager scope;
        private final Map<String, NDArray> aliases = new HashMap<>();

        private Scoped(NDManager scope) {
            this.scope = scope;
        }

        NDArray param(String name) {
            return aliases.computeIfAbsent(name, n -> alias(parameters.get(n), n));
        }

        /** Buffers are read fresh each time because a forward may replace them. */
        NDArray buffer(String name) {
            return alias(buffers.get(name), name).stopGradient();
        }

        void replaceBuffer(String name, NDArray array) {
            NamedArrays.this.replaceBuffer(name, array);
        }

        NDManager manager() {
            return scope;
        }

        private NDArray alias(NDArray a, String name) {
            if (a == null) {
                throw new IllegalStateException("adapter has no tensor " + name);
            }
            return Scopes.alias(a, scope);
        }
    }
}
