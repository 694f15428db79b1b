package dev.mergenet.importers.ops.rnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.OpInputs;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The time loop shared by LSTM, GRU and RNN: layouts, directions, initial states and sequence_lens. The input
 * projection X*W^T + Wb is one matMul per direction; each step then calls the op's cell with the step's
 * projection and the previous state. Steps past a sequence's length keep the state and output zeros, so a
 * reverse direction starts at each sequence's own last element.
 */
final class RecurrentLoop {
    /** One cell step: new state (hidden first, then cell state for LSTM) from the projected input. */
    interface Cell {
        NDArray[] step(NDArray projected, NDArray[] state, Weights w);
    }

    /** One direction's recurrence weights. */
    record Weights(
            NDArray recurrenceT,
            NDArray recurrenceBias,
            NDArray peepholes,
            List<UnaryOperator<NDArray>> activations,
            int hidden) {}

    private RecurrentLoop() {}

    /**
     * Runs the op. {@code gates} is the number of gate blocks in W (4, 3 or 1); {@code stateCount} is 2 for
     * LSTM (hidden and cell), else 1. Inputs follow ONNX: X, W, R, B, sequence_lens, initial_h[, initial_c, P].
     */
    static NDList run(NDManager m, OpInputs in, RecurrentAttributes attrs, int gates, int stateCount, Cell cell) {
        NDArray x = in.get(0);
        if (x.getShape().dimension() != 3) {
            throw new OnnxFormatException(attrs.owner + ": X must be 3-D, got " + x.getShape());
        }
        if (attrs.batchFirst) {
            x = x.transpose(1, 0, 2);
        }
        long steps = x.getShape().get(0);
        long batch = x.getShape().get(1);
        int hidden = attrs.hiddenSize;
        int directions = attrs.directions();
        NDArray w = in.get(1);
        NDArray r = in.get(2);
        long gh = (long) gates * hidden;
        if (w.getShape().get(0) != directions
                || w.getShape().get(1) != gh
                || r.getShape().get(1) != gh) {
            throw new OnnxFormatException(attrs.owner + ": W " + w.getShape() + " / R " + r.getShape()
                    + " do not match " + directions + " direction(s) of " + gates + " x " + hidden + " gates");
        }
        NDArray bias = in.optional(3);
        boolean[][] masks = stepMasks(in, steps, batch);
        NDArray[] initial = new NDArray[stateCount];
        for (int s = 0; s < stateCount; s++) {
            NDArray given = in.optional(5 + s);
            if (given != null && given.getShape().dimension() != 3) {
                throw new OnnxFormatException(attrs.owner + ": " + in.describe(5 + s) + " must be 3-D");
            }
            if (given != null && attrs.batchFirst) {
                given = given.transpose(1, 0, 2);
            }
            if (given != null && !given.getShape().equals(new Shape(directions, batch, hidden))) {
                throw new OnnxFormatException(attrs.owner + ": " + in.describe(5 + s) + " must hold "
                        + directions + " direction(s) x batch " + batch + " x hidden " + hidden
                        + (attrs.batchFirst ? " (batch first)" : ""));
            }
            initial[s] = given;
        }
        NDArray peepholes = stateCount > 1 ? in.optional(7) : null;
        NDList ys = new NDList();
        NDList[] finals = new NDList[stateCount];
        for (int s = 0; s < stateCount; s++) {
            finals[s] = new NDList();
        }
        for (int d = 0; d < directions; d++) {
            NDArray wb = bias == null ? null : bias.get(d).get(new NDIndex("0:{}", gh));
            NDArray rb = bias == null ? null : bias.get(d).get(new NDIndex("{}:", gh));
            NDArray projected = x.matMul(w.get(d).transpose());
            if (wb != null) {
                projected = projected.add(wb);
            }
            Weights weights = new Weights(
                    r.get(d).transpose(),
                    rb,
                    peepholes == null ? null : peepholes.get(d),
                    attrs.activations.get(d),
                    hidden);
            NDArray[] state = new NDArray[stateCount];
            for (int s = 0; s < stateCount; s++) {
                state[s] = initial[s] != null ? initial[s].get(d) : m.zeros(new Shape(batch, hidden), x.getDataType());
            }
            NDArray[] outputs = new NDArray[(int) steps];
            for (int i = 0; i < steps; i++) {
                int t = attrs.runsBackwards(d) ? (int) steps - 1 - i : i;
                NDArray[] next = cell.step(projected.get(t), state, weights);
                if (masks == null) {
                    state = next;
                    outputs[t] = next[0];
                } else {
                    // where() does not broadcast its condition: widen the per-sequence flag to (batch, hidden).
                    NDArray keep = m.create(masks[t], new Shape(batch, 1)).broadcast(new Shape(batch, hidden));
                    for (int s = 0; s < stateCount; s++) {
                        next[s] = NDArrays.where(keep, next[s], state[s]);
                    }
                    state = next;
                    outputs[t] = NDArrays.where(keep, next[0], next[0].zerosLike());
                }
            }
            ys.add(NDArrays.stack(new NDList(outputs), 0));
            for (int s = 0; s < stateCount; s++) {
                finals[s].add(state[s]);
            }
        }
        NDArray y = NDArrays.stack(ys, 1);
        NDList out = new NDList();
        out.add(attrs.batchFirst ? y.transpose(2, 0, 1, 3) : y);
        for (int s = 0; s < stateCount; s++) {
            NDArray f = NDArrays.stack(finals[s], 0);
            out.add(attrs.batchFirst ? f.transpose(1, 0, 2) : f);
        }
        return out;
    }

    /** Per step, which batch entries are still inside their sequence; null when every sequence is full. */
    private static boolean[][] stepMasks(OpInputs in, long steps, long batch) {
        if (!in.has(4)) {
            return null;
        }
        long[] lengths = in.longs(4);
        boolean full = true;
        for (long len : lengths) {
            full &= len >= steps;
        }
        if (full) {
            return null;
        }
        boolean[][] masks = new boolean[(int) steps][(int) batch];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                masks[t][b] = t < lengths[b];
            }
        }
        return masks;
    }

    /** Columns {@code [k*hidden, (k+1)*hidden)} of a (batch, gates*hidden) array. */
    static NDArray gate(NDArray gates, int k, int hidden) {
        return gates.get(new NDIndex(":, {}:{}", k * hidden, (k + 1) * hidden));
    }
}
