package dev.mergenet.importers.ops.nn;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.limits.OpCost;
import dev.mergenet.importers.limits.ShapeMath;
import dev.mergenet.importers.ops.spi.Attributes;
import dev.mergenet.importers.ops.spi.OnnxNode;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The sliding-window attributes shared by convolution and pooling (kernel_shape, strides, dilations, pads,
 * auto_pad, ceil_mode), parsed once at import and resolved against the input's spatial size at run time.
 */
final class WindowAttributes {
    enum AutoPad {
        NOTSET,
        SAME_UPPER,
        SAME_LOWER,
        VALID
    }

    private final long[] kernel;
    private final long[] strides;
    private final long[] dilations;
    private final long[] pads;
    private final AutoPad autoPad;
    private final boolean ceilMode;
    private final String owner;

    WindowAttributes(OnnxNode node) {
        Attributes a = node.attrs();
        this.owner = node.describe();
        this.kernel = a.getInts("kernel_shape", null);
        this.strides = a.getInts("strides", null);
        this.dilations = a.getInts("dilations", null);
        this.pads = a.getInts("pads", null);
        this.ceilMode = a.getInt("ceil_mode", 0) != 0;
        String mode = a.getString("auto_pad", "NOTSET");
        try {
            this.autoPad = AutoPad.valueOf(mode);
        } catch (IllegalArgumentException e) {
            throw new OnnxFormatException(
                    owner + ": auto_pad '" + mode + "' is not one of " + Arrays.toString(AutoPad.values()));
        }
    }

    /** The kernel_shape attribute, or null when the op derives it from the weight. */
    long[] kernelAttribute() {
        return kernel;
    }

    AutoPad autoPad() {
        return autoPad;
    }

    String owner() {
        return owner;
    }

    /** The spatial rank of a pool's (N, C, spatial...) input, refusing fewer than one spatial axis. */
    int spatialRank(Shape x) {
        if (x.dimension() < 3) {
            throw new OnnxFormatException(owner + ": input " + x + " must be (N, C, spatial...) with a spatial axis");
        }
        return x.dimension() - 2;
    }

    /** The window geometry for an input whose spatial dims are {@code in}, with kernel {@code k}. */
    Window resolve(long[] in, long[] k) {
        int n = in.length;
        if (k.length != n) {
            throw new OnnxFormatException(owner + ": kernel has " + k.length + " spatial dims but the input has " + n);
        }
        long[] s = orOnes(strides, n, "strides");
        long[] d = orOnes(dilations, n, "dilations");
        long[] begin = new long[n];
        long[] end = new long[n];
        long[] out = new long[n];
        long[] padded = new long[n];
        for (int i = 0; i < n; i++) {
            atLeastOne(k[i], "kernel", i);
            atLeastOne(s[i], "strides", i);
            atLeastOne(d[i], "dilations", i);
            long span = ShapeMath.add(ShapeMath.multiply(k[i] - 1, d[i], owner + ": kernel span", k), 1, owner);
            switch (autoPad) {
                case SAME_UPPER, SAME_LOWER -> {
                    long o = (in[i] + s[i] - 1) / s[i];
                    long total = Math.max(0, (o - 1) * s[i] + span - in[i]);
                    begin[i] = autoPad == AutoPad.SAME_UPPER ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                }
                case VALID -> {
                    begin[i] = 0;
                    end[i] = 0;
                }
                default -> {
                    if (pads != null) {
                        if (pads.length != 2 * n) {
                            throw new OnnxFormatException(
                                    owner + ": pads has " + pads.length + " values, expected " + 2 * n);
                        }
                        begin[i] = pads[i];
                        end[i] = pads[i + n];
                    }
                }
            }
            padded[i] = ShapeMath.add(ShapeMath.add(in[i], begin[i], owner), end[i], owner);
            long room = padded[i] - span;
            if (room < 0) {
                throw new OnnxFormatException(owner + ": the window (" + span + ") is larger than the padded input ("
                        + (in[i] + begin[i] + end[i]) + ") along spatial axis " + i);
            }
            out[i] = (ceilMode ? (room + s[i] - 1) / s[i] : room / s[i]) + 1;
            // A ceil-mode window must start inside the input or its begin padding (ONNX Runtime and PyTorch agree).
            if (ceilMode && (out[i] - 1) * s[i] >= in[i] + begin[i]) {
                out[i]--;
            }
        }
        return new Window(in, k, s, d, begin, end, out);
    }

    /**
     * Refuses a pool over {@code x} whose output or window reads are over budget; {@code sliding} adds what the
     * slice-by-slice path allocates: the padded input, and one output-sized partial result and one engine call per
     * kernel offset (all kept until the step ends).
     */
    void checkPoolCost(Shape x, DataType type, Window win, boolean sliding) {
        int lead = x.dimension() - win.rank();
        long[] out = x.getShape().clone();
        long[] padded = x.getShape().clone();
        for (int i = 0; i < win.rank(); i++) {
            out[lead + i] = win.out()[i];
            padded[lead + i] = Math.max(win.reach(i), win.in()[i] + win.padBegin()[i] + win.padEnd()[i]);
        }
        long offsets = ShapeMath.elements(win.kernel(), owner + ": kernel_shape");
        OpCost cost = OpCost.of(() -> owner + ": input " + x + ", kernel " + Arrays.toString(win.kernel())
                + ", pads " + Arrays.toString(win.padBegin()) + " and " + Arrays.toString(win.padEnd()) + ", output "
                + Arrays.toString(out));
        // the spatial output alone too: AveragePool's per-position counts are built on the host even for a batch of 0
        cost.tensor("output", out, type)
                .tensor("output (spatial)", win.out(), Float.BYTES)
                .work(out, offsets, sliding ? offsets : 1);
        if (sliding) {
            cost.tensor("padded input", padded, type)
                    .tensor("partial results (one per kernel offset)", OpCost.times(offsets, out), type);
        }
    }

    /** Refuses a convolution whose padded input (asymmetric pads), output or multiply-accumulates are over budget. */
    void checkConvolutionCost(Shape x, Shape w, DataType type, Window win) {
        int n = win.rank();
        long[] out = new long[n + 2];
        long[] padded = x.getShape().clone();
        out[0] = x.get(0);
        out[1] = w.get(0);
        for (int i = 0; i < n; i++) {
            out[2 + i] = win.out()[i];
            padded[2 + i] = win.in()[i] + win.padBegin()[i] + win.padEnd()[i];
        }
        long[] perOutput = Arrays.copyOfRange(w.getShape(), 1, w.dimension());
        Supplier<String> what = () -> owner + ": input " + x + ", weight " + w + ", output " + Arrays.toString(out);
        OpCost cost = OpCost.of(what).tensor("output", out, type).work(out, ShapeMath.elements(perOutput, what));
        if (!win.symmetric()) {
            cost.tensor("padded input", padded, type);
        }
    }

    private void atLeastOne(long value, String name, int axis) {
        if (value < 1) {
            throw new OnnxFormatException(
                    owner + ": " + name + " " + value + " along spatial axis " + axis + " must be at least 1");
        }
    }

    private long[] orOnes(long[] v, int n, String name) {
        if (v == null) {
            long[] ones = new long[n];
            Arrays.fill(ones, 1);
            return ones;
        }
        if (v.length != n) {
            throw new OnnxFormatException(owner + ": " + name + " has " + v.length + " values, expected " + n);
        }
        return v;
    }

    /** A resolved geometry: input, kernel, strides, dilations, begin/end pads and output size per spatial axis. */
    record Window(
            long[] in, long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd, long[] out) {
        int rank() {
            return in.length;
        }

        /** True when every axis pads both sides equally (the form native convolution accepts). */
        boolean symmetric() {
            return Arrays.equals(padBegin, padEnd);
        }

        /** Extent along axis i that the windows read, from the start of the begin padding. */
        long reach(int i) {
            return (out[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1;
        }
    }
}
