package dev.mergenet.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.transfer.app.demo.FashionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The arm "default" runs `transfer`'s default recipe, resolved for the trial's pair and written to its log; a kd arm
 * with teacher=random distils from the re-initialized source.
 */
class SweepDefaultArmTest {
    @Test
    void theDefaultArmIsAKdArmWhoseInitAndLossTheRecipePicks() {
        TrialRunner.checkArm("default");
        TrialRunner.checkArm("default@kd-alpha=0.5");
        TrialRunner.checkArm("kd@teacher=random");
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("default@init=selection"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("default@kd-loss=dkd"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("default:gated"));
        assertThrows(MergeNetException.class, () -> TrialRunner.checkArm("kd@teacher=untrained"));
        assertTrue(TrialRunner.needsSource("default"));
        assertFalse(TrialRunner.isAlone("default"));
        assertFalse(TrialRunner.reads("default", "init"));
        assertFalse(TrialRunner.reads("default", "kd-loss"));
        assertTrue(TrialRunner.reads("default", "kd-alpha"));
        assertTrue(TrialRunner.reads("default", "teacher"));
        assertTrue(TrialRunner.reads("kd", "teacher"));
        assertFalse(TrialRunner.reads("alone", "teacher"));
        assertFalse(TrialRunner.reads("mergenet", "teacher"));
        assertTrue(TrialRunner.isReference("default", "kd"));
        assertTrue(TrialRunner.isReference("default", "alone"));
        assertFalse(TrialRunner.isReference("default", "kd@init=selection"));
        assertFalse(TrialRunner.isReference("kd@init=selection", "default"));
        assertTrue(TrialRunner.isReference("kd@teacher=random", "kd"));
        assertEquals("trained", TrialRunner.DEFAULTS.get("teacher"));
        assertEquals(
                4,
                Grid.parse(List.of("kd-alpha=0.5,0.9", "teacher=trained,random"))
                        .points("default")
                        .size());
    }

    @Test
    void theDefaultArmSelectsForASameFamilyPairAndARandomTeacherRuns(@TempDir Path dir) throws Exception {
        Path target = FashionModels.write(FashionModels.sourceResNet(4), "narrow", 1, dir.resolve("t.onnx"), false);
        Path source = FashionModels.write(FashionModels.sourceResNet(8), "wide", 2, dir.resolve("s.onnx"), false);
        SweepPlan.Models m = new SweepPlan.Models(target, source);
        Path out = dir.resolve("out");
        SweepPlan plan = SweepPlan.of(
                "tiny",
                "Tiny sweep",
                "test",
                out,
                seed -> m,
                List.of("default", "kd@teacher=random"),
                new long[] {0},
                new SweepPlan.Settings(
                        "fashion-mnist:" + TestData.require(TestData.FASHION_MNIST),
                        TinySweep.params(1),
                        Grid.parse(List.of()),
                        200,
                        100));
        SweepDriver.Result r = SweepDriver.run(plan, TinySweep.local(1), false, null, System.err);
        assertEquals(2, r.ran());
        Map<String, String> logs = new java.util.HashMap<>();
        for (TrialRecord rec : r.records()) {
            assertFalse(rec.row().failed(), rec.row().failure());
            logs.put(
                    rec.spec().arm(), Files.readString(TrialFiles.of(rec.spec()).log()));
        }
        String def = logs.get("default");
        assertTrue(
                def.contains(
                        "default: kd (hinton, alpha 0.5) + init selection: the source's layers map onto the target's (9 of 9"),
                def);
        assertTrue(def.contains("init: selection from"), def);
        String random = logs.get("kd@teacher=random");
        assertTrue(random.contains("teacher: random ("), random);
        assertFalse(random.contains("init: selection"), random);
    }
}
