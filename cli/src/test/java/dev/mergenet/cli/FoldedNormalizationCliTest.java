package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.testing.FoldedModels;
import org.junit.jupiter.api.Test;

/** `inspect` and `pairs` warn about a PyTorch export whose BatchNorms were folded, naming --restore-norm. */
class FoldedNormalizationCliTest {
    @Test
    void inspectWarnsOnTheFoldedExportOnly() {
        CliRun folded = CliRun.of(
                "inspect", FoldedModels.model("mobilenet_fresh_folded").toString());
        assertEquals(0, folded.code(), folded.err());
        assertTrue(
                folded.out()
                                .contains("mobilenet_fresh_folded.onnx: normalization was folded away by the export: "
                                        + "11 Convs carry biases")
                        && folded.out().contains("Pass --restore-norm"),
                folded.out());
        CliRun kept =
                CliRun.of("inspect", FoldedModels.model("mobilenet_fresh_kept").toString());
        assertEquals(0, kept.code(), kept.err());
        assertFalse(kept.out().contains("folded away"), kept.out());
    }

    @Test
    void pairsWarnsForEachFoldedModel() {
        CliRun r = CliRun.of(
                "pairs",
                "--source",
                FoldedModels.model("resnet_pretrained_folded").toString(),
                "--target",
                FoldedModels.model("mobilenet_fresh_kept").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("warning: ")
                        && r.out().contains("resnet_pretrained_folded.onnx: normalization " + "was folded away"),
                r.out());
        assertFalse(r.out().contains("mobilenet_fresh_kept.onnx: normalization"), r.out());
    }
}
