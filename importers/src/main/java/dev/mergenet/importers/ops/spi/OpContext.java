package dev.mergenet.importers.ops.spi;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/** What a kernel may use while it runs: the mode, the step's manager (on the device) and subgraph calls. */
public interface OpContext {
    /** True while DJL trains the block: BatchNormalization uses batch statistics, Dropout is active. */
    boolean training();

    /** The manager of this forward step; arrays made here live until the step's outputs are returned. */
    NDManager manager();

    default Device device() {
        return manager().getDevice();
    }

    OnnxNode node();

    /** Runs a compiled subgraph whose free names resolve against the running graph's values. */
    NDList runSubgraph(Subgraph graph, List<NDArray> inputs);

    /**
     * d(output)/d(input i) of a one-output subgraph at {@code inputs}. Values the subgraph reads from the running
     * graph are constants here, so no other array's gradient changes, and it works whether or not a gradient
     * collector is open around the step (a model containing it can be trained; its results are constants there).
     */
    NDList gradients(Subgraph graph, List<NDArray> inputs);
}
