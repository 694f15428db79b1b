package dev.mergenet.transfer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Any initialised DJL block as a trainable classifier; weights are named by DJL's parameter paths. */
public final class DjlBlockModel implements TrainableModel {
    private final Block block;
    private final String origin;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final Map<String, NDArray> state = new LinkedHashMap<>();
    private boolean closed;

    public DjlBlockModel(Block block, String origin) {
        this.block = block;
        this.origin = origin;
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            if (p.getValue().requiresGradient()) {
                a.setRequiresGradient(true);
                weights.put(p.getKey(), a);
            } else {
                state.put(p.getKey(), a);
            }
        }
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public Map<String, NDArray> weights() {
        checkOpen();
        return Collections.unmodifiableMap(weights);
    }

    @Override
    public Map<String, NDArray> state() {
        checkOpen();
        return Collections.unmodifiableMap(state);
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        checkOpen();
        return block.forward(new ParameterStore(x.getManager(), false), new NDList(x), training)
                .head();
    }

    @Override
    public boolean outputsProbabilities() {
        return false;
    }

    public Block block() {
        return block;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            weights.values().forEach(NDArray::close);
            state.values().forEach(NDArray::close);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(origin() + ": model used after close()");
        }
    }
}
