package dev.mergenet.transfer.app;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.selection.HostTensor;
import dev.mergenet.transfer.selection.WeightSelection;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The pre-training step of `--init`: the imported target's weights and running statistics overwritten by weight
 * selection from the source (or one of its two controls) before the first step; {@code target} keeps the
 * target's own initialization.
 */
public final class InitialWeights {
    private InitialWeights() {}

    /** Where the target's initial weights come from. */
    public enum Init {
        TARGET(null),
        SELECTION(WeightSelection.Variant.SELECTION),
        SELECTION_PERMUTED(WeightSelection.Variant.PERMUTED),
        SELECTION_REINIT(WeightSelection.Variant.REINITIALIZED);

        private final WeightSelection.Variant variant;

        Init(WeightSelection.Variant variant) {
            this.variant = variant;
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Init parse(String s) {
            for (Init i : values()) {
                if (i.cliName().equals(s)) {
                    return i;
                }
            }
            throw new IllegalArgumentException(
                    "--init must be target, selection, selection-permuted or" + " selection-reinit (not '" + s + "')");
        }
    }

    /**
     * Selects from {@code source} for {@code targetModel} (the model {@code target} was imported from) and writes the
     * selected tensors into {@code target}'s arrays; returns the number of tensors written.
     */
    public static int apply(
            Init init,
            OnnxModel source,
            OnnxModel targetModel,
            TrainableModel target,
            long seed,
            NDManager manager,
            PrintStream log) {
        if (init == Init.TARGET) {
            return 0;
        }
        if (source == null) {
            throw new MergeNetException("--init " + init.cliName() + " selects from a source: give --source");
        }
        WeightSelection.Selection sel = WeightSelection.select(source, targetModel, init.variant, seed);
        int written = 0;
        try (NDManager scope = manager.newSubManager()) {
            for (Map.Entry<String, HostTensor> e : sel.tensors().entrySet()) {
                NDArray dst = target.weights().get(e.getKey());
                if (dst == null) {
                    dst = target.state().get(e.getKey());
                }
                if (dst == null) {
                    throw new MergeNetException(target.origin() + ": the imported target has no tensor '" + e.getKey()
                            + "' for the selected initial value");
                }
                Scopes.assign(
                        dst,
                        scope.create(
                                e.getValue().values(), new Shape(e.getValue().shape())),
                        scope);
                written++;
            }
        }
        if (log != null) {
            log.printf(
                    "init: %s from %s, %d tensors (`mergenet layers` shows the map); not mapped: %s%n",
                    init.cliName(),
                    source.origin(),
                    written,
                    sel.report().notMapped().isEmpty()
                            ? "none"
                            : String.join(", ", sel.report().notMapped().keySet()));
        }
        return written;
    }
}
