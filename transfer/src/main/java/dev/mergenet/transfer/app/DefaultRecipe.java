package dev.mergenet.transfer.app;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.edit.SoftmaxTail;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.config.Defaults;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.distill.KdLoss;
import dev.mergenet.transfer.selection.LayerGraph;
import dev.mergenet.transfer.selection.TargetInitializers;
import dev.mergenet.transfer.selection.WeightSelection;
import java.nio.file.Path;

/**
 * What `transfer` does when given neither --mode nor --init (issue 16, item 4): weight selection from the source
 * plus distillation with {@link Defaults#BEST_KD_LOSS} at weight {@link Defaults#SELECTION_KD_ALPHA} when the pair
 * has a layer map (the same family), distillation alone from the target's own initialization at {@link
 * Defaults#KD_ALPHA} otherwise; the reason says which and why in one line.
 */
public record DefaultRecipe(Mode mode, InitialWeights.Init init, KdLoss.Kind loss, double alpha, String reason) {
    private static final String NO_CORRESPONDENCE = "no layer correspondence between target ";

    /** The recipe for this pair (both as the job reads them: the training view, without a trailing Softmax). */
    public static DefaultRecipe resolve(OnnxModel source, OnnxModel target) {
        WeightSelection.Selection sel;
        try {
            sel = WeightSelection.select(source, target);
        } catch (MergeNetException e) {
            return new DefaultRecipe(
                    Mode.KD,
                    InitialWeights.Init.TARGET,
                    Defaults.BEST_KD_LOSS,
                    Defaults.KD_ALPHA,
                    "no layer map (" + detail(e, source) + ")");
        }
        int layers = LayerGraph.of(TargetInitializers.untied(target).model())
                .layers()
                .size();
        int mapped = sel.report().layerMap().size();
        return new DefaultRecipe(
                Mode.KD,
                InitialWeights.Init.SELECTION,
                Defaults.BEST_KD_LOSS,
                Defaults.SELECTION_KD_ALPHA,
                "the source's layers map onto the target's (" + mapped + " of " + layers
                        + " weight layers, see mergenet layers)");
    }

    /** The recipe for two ONNX files. */
    public static DefaultRecipe resolve(Path source, Path target) {
        return resolve(
                SoftmaxTail.trainingView(OnnxModelReader.read(source)).model(),
                SoftmaxTail.trainingView(OnnxModelReader.read(target)).model());
    }

    /** The same recipe with the loss given explicitly (--kd-loss wins over the default's). */
    public DefaultRecipe withLoss(KdLoss.Kind kind) {
        return new DefaultRecipe(mode, init, kind, alpha, reason);
    }

    /**
     * e.g. "default: kd (hinton, alpha 0.5) + init selection: the source's layers map onto the target's (12 of 12 weight
     * layers, see mergenet layers)".
     */
    public String line() {
        String what = mode.cliName() + " (" + loss.cliName() + ", alpha " + alpha + ")";
        return init == InitialWeights.Init.TARGET
                ? "default: " + what + ", init target: " + reason
                : "default: " + what + " + init " + init.cliName() + ": " + reason;
    }

    /** The selection's refusal without its preamble naming the two files, which the run prints anyway. */
    private static String detail(MergeNetException e, OnnxModel source) {
        String m = e.getMessage();
        String preamble = " and source " + source.origin() + ": ";
        int at = m.indexOf(preamble);
        return m.startsWith(NO_CORRESPONDENCE) && at > 0
                ? "first unmatched: " + m.substring(at + preamble.length())
                : m;
    }
}
