package dev.mergenet.importers.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.ops.activation.Pointwise;
import dev.mergenet.importers.ops.math.FourierTransform;
import dev.mergenet.importers.ops.tensor.Resize;
import dev.mergenet.importers.ops.training.Gradient;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a node's (domain, op, opset) resolves in the standard registry, and which class the support table names. */
class OpRegistryTest {
    private static final OpRegistry REGISTRY = OpRegistry.standard();

    @Test
    void anOpsetResolvesToTheLatestSinceVersionNotAboveIt() {
        OpRegistry.Resolution r = REGISTRY.resolve("", "Relu", 12);
        assertEquals(6, r.sinceVersion());
        assertSame(Pointwise.class, r.converter().getClass());
        assertEquals(14, REGISTRY.resolve("ai.onnx", "Relu", 21).sinceVersion());
        assertSame(Resize.class, REGISTRY.resolve("", "Upsample", 9).converter().getClass());
    }

    @Test
    void aDeclaredUnsupportedVersionIsReportedInsteadOfAnOlderOne() {
        OpRegistry.Resolution dft = REGISTRY.resolve("", "DFT", 21);
        assertFalse(dft.supported());
        assertEquals("DFT-20 (opset 21) has no converter", dft.problem());
        assertSame(
                FourierTransform.class,
                REGISTRY.resolve("", "DFT", 19).converter().getClass());
        assertEquals(
                "Tile-1 (opset 5) has no converter",
                REGISTRY.resolve("", "Tile", 5).problem());
        assertEquals(
                "Celu does not exist at opset 11 (first at 12)",
                REGISTRY.resolve("", "Celu", 11).problem());
        assertEquals(
                "NoSuchOp has no converter",
                REGISTRY.resolve("", "NoSuchOp", 13).problem());
    }

    @Test
    void trainingOpsLiveInTheirOwnDomain() {
        assertSame(
                Gradient.class,
                REGISTRY.resolve("ai.onnx.preview.training", "Gradient", 1)
                        .converter()
                        .getClass());
        assertFalse(REGISTRY.resolve("", "Gradient", 13).supported());
    }

    @Test
    void theSupportTableNamesTheImplementingClassAndTheUnsupportedVersions() {
        OpRegistry.Support relu = row("", "Relu");
        assertSame(Pointwise.class, relu.implementation());
        assertEquals(List.of(1, 6, 13, 14), relu.supported());
        OpRegistry.Support dft = row("", "DFT");
        assertEquals(List.of(17), dft.supported());
        assertEquals(List.of(20), dft.unsupported());
        assertSame(FourierTransform.class, dft.implementation());
        assertTrue(REGISTRY.supportTable().stream().allMatch(s -> s.implementation() != null));
    }

    private static OpRegistry.Support row(String domain, String op) {
        return REGISTRY.supportTable().stream()
                .filter(s -> s.domain().equals(domain) && s.opType().equals(op))
                .findFirst()
                .orElseThrow();
    }
}
