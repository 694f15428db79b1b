package dev.mergenet.importers.ops.rnn;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/**
 * Registers the converters for LSTM, GRU and RNN (per-step matMul cells, differentiable end to end). Version 22
 * only added bfloat16.
 */
public final class RecurrentOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("LSTM", new Lstm(), 1, 7, 14, 22);
        r.add("GRU", new Gru(), 1, 3, 7, 14, 22);
        r.add("RNN", new SimpleRnn(), 1, 7, 14, 22);
    }
}
