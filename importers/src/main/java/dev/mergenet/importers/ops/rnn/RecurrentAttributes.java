package dev.mergenet.importers.ops.rnn;

import ai.djl.ndarray.NDArray;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.ops.spi.Attributes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;

/** Attributes shared by LSTM, GRU and RNN, parsed once at import. */
final class RecurrentAttributes {
    final int hiddenSize;
    final boolean forward;
    final boolean reverse;
    final boolean batchFirst;
    final Float clip;
    /** Per direction, the activations (f, g, h for LSTM; f, g for GRU; f for RNN). */
    final List<List<UnaryOperator<NDArray>>> activations;

    final String owner;

    RecurrentAttributes(OnnxNode node, List<String> defaults) {
        Attributes a = node.attrs();
        this.owner = node.describe();
        this.hiddenSize = (int) a.requireInt("hidden_size");
        String direction = a.getString("direction", "forward");
        switch (direction) {
            case "forward" -> {
                forward = true;
                reverse = false;
            }
            case "reverse" -> {
                forward = false;
                reverse = true;
            }
            case "bidirectional" -> {
                forward = true;
                reverse = true;
            }
            default ->
                throw new OnnxFormatException(
                        owner + ": direction '" + direction + "' is not forward, reverse or bidirectional");
        }
        this.batchFirst = a.getInt("layout", 0) == 1;
        this.clip = a.has("clip") ? a.getFloat("clip", 0f) : null;
        List<String> names = a.getStrings("activations");
        int per = defaults.size();
        int directions = directions();
        if (names.isEmpty()) {
            names = new ArrayList<>();
            for (int d = 0; d < directions; d++) {
                names.addAll(defaults);
            }
        } else if (names.size() == per && directions == 2) {
            List<String> both = new ArrayList<>(names);
            both.addAll(names);
            names = both;
        } else if (names.size() != per * directions) {
            throw new OnnxFormatException(owner + ": activations lists " + names.size() + " functions, expected "
                    + per * directions + " (" + per + " per direction)");
        }
        Iterator<Float> alphas =
                boxed(a.getFloats("activation_alpha", new float[0])).iterator();
        Iterator<Float> betas =
                boxed(a.getFloats("activation_beta", new float[0])).iterator();
        this.activations = new ArrayList<>();
        for (int d = 0; d < directions; d++) {
            List<UnaryOperator<NDArray>> fs = new ArrayList<>();
            for (int k = 0; k < per; k++) {
                fs.add(GateActivation.parse(names.get(d * per + k), alphas, betas, owner));
            }
            activations.add(fs);
        }
    }

    int directions() {
        return forward && reverse ? 2 : 1;
    }

    /** True when direction index {@code d} runs backwards in time. */
    boolean runsBackwards(int d) {
        return d == 1 || !forward;
    }

    /** Clips a gate pre-activation when the clip attribute is set. */
    NDArray clip(NDArray x) {
        return clip == null ? x : x.clip(-clip, clip);
    }

    private static List<Float> boxed(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float f : v) {
            out.add(f);
        }
        return out;
    }
}
