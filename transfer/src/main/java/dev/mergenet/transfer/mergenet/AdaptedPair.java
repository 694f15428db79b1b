package dev.mergenet.transfer.mergenet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.transfer.adapter.ParameterAdapter;
import dev.mergenet.transfer.optim.AdamW;

/**
 * One adapted layer pair: its adapter φ and φ's AdamW, the fixed source matrix (frozen or random source), the
 * per-row gates of the gated output with their own AdamW, and what the last injection left for the update.
 */
final class AdaptedPair {
    final PairSpec spec;
    final Shape targetShape;
    final int rows;
    final ParameterAdapter adapter;
    final AdamW optimizer;
    final NDArray fixedSource;
    /** [m, 1] gates (gated output only), and their optimizer. */
    final NDArray gates;

    final AdamW gateOptimizer;
    /** W' of the last injection, with φ's autograd graph. */
    NDArray generated;
    /** s·φ − T of the last injection, without gradient (gated output only). */
    NDArray direction;
    /** g ⊙ (s·φ − T) of the last injection (gated output only): taken back before the next one. */
    NDArray offset;

    NDArray lastDelta;
    long updates;
    long totalUpdates;
    final EpochTotals epoch = new EpochTotals();

    AdaptedPair(
            PairSpec spec,
            Shape targetShape,
            int rows,
            ParameterAdapter adapter,
            AdamW optimizer,
            NDArray fixedSource,
            NDArray gates,
            AdamW gateOptimizer) {
        this.spec = spec;
        this.targetShape = targetShape;
        this.rows = rows;
        this.adapter = adapter;
        this.optimizer = optimizer;
        this.fixedSource = fixedSource;
        this.gates = gates;
        this.gateOptimizer = gateOptimizer;
    }

    /** Sums over one epoch, for its record. */
    static final class EpochTotals {
        int updates;
        int injections;
        double gradNorm;
        double deltaNorm;
        double jump;

        void reset() {
            updates = 0;
            injections = 0;
            gradNorm = 0;
            deltaNorm = 0;
            jump = 0;
        }
    }
}
