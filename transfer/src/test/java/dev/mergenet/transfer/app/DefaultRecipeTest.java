package dev.mergenet.transfer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.app.demo.FashionModels;
import dev.mergenet.transfer.config.Defaults;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.distill.KdLoss;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default recipe: weight selection plus the best distillation loss for a same-family pair (a ResNet from a
 * wider one), distillation alone from the target's own weights for P2's CNN from a ResNet, with the reason.
 */
class DefaultRecipeTest {
    @Test
    void sameFamilySelectsAndDistilsOtherFamilyOnlyDistils(@TempDir Path dir) {
        Path wide = FashionModels.write(FashionModels.sourceResNet(16), "wide", 1, dir.resolve("wide.onnx"), false);
        Path narrow =
                FashionModels.write(FashionModels.sourceResNet(4), "narrow", 2, dir.resolve("narrow.onnx"), false);
        Path cnn = FashionModels.write(FashionModels.targetCnn(4), "cnn", 3, dir.resolve("cnn.onnx"), false);

        DefaultRecipe same = DefaultRecipe.resolve(wide, narrow);
        assertEquals(Mode.KD, same.mode());
        assertEquals(InitialWeights.Init.SELECTION, same.init());
        assertEquals(Defaults.BEST_KD_LOSS, same.loss());
        // conv, block (2), conv, block (2), block (2), fc: every one of the narrow ResNet's 9 weight layers maps
        long weightNodes = OnnxModelReader.read(narrow).proto().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv") || n.getOpType().equals("Gemm"))
                .count();
        assertEquals(9, weightNodes);
        assertEquals(
                "default: kd (hinton, alpha 0.5) + init selection: the source's layers map onto the target's (9 of 9 weight"
                        + " layers, see mergenet layers)",
                same.line());

        DefaultRecipe other = DefaultRecipe.resolve(wide, cnn);
        assertEquals(Mode.KD, other.mode());
        assertEquals(InitialWeights.Init.TARGET, other.init());
        assertEquals(Defaults.BEST_KD_LOSS, other.loss());
        assertTrue(
                other.line()
                        .startsWith(
                                "default: kd (hinton, alpha 0.9), init target: no layer map (first unmatched: stage 2,"),
                other.line());
        assertTrue(other.line().contains("1x1") && !other.line().contains(wide.toString()), other.line());

        assertEquals(KdLoss.Kind.DKD, same.withLoss(KdLoss.Kind.DKD).loss());
        assertTrue(same.withLoss(KdLoss.Kind.DKD).line().startsWith("default: kd (dkd, alpha 0.5) + init selection: "));
    }
}
