package dev.mergenet.transfer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.adapter.AdapterOutput;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The builders start from {@link Defaults}, validate when built, and copy a config exactly. */
class RunConfigTest {
    @Test
    void aBuiltConfigHoldsEveryDefault() {
        RunConfig c = RunConfig.defaults(Mode.MERGENET, 3, 11);
        TrainingSettings t = c.training();
        assertEquals(3, t.epochs());
        assertEquals(11, t.seed());
        assertEquals(128, t.batchSize());
        assertEquals(OptimizerKind.SGD, t.optimizer());
        assertEquals(0.1, t.lr());
        assertEquals(0.9, t.momentum());
        assertEquals(5e-4, t.weightDecay());
        assertEquals(Schedule.STEP, t.schedule());
        assertEquals(500, t.evalBatchSize());
        assertEquals(new DistillationSettings(0.9, 4.0), c.distillation());
        AdapterSettings a = c.adapter();
        assertEquals(AdapterConfig.DEFAULT, a.config());
        assertEquals(Defaults.HEADS, a.config().heads());
        assertEquals(Defaults.LAYERS, a.config().layers());
        assertEquals(2, a.cycle());
        assertEquals(1e-3, a.lr());
        assertEquals(5e-4, a.weightDecay());
        assertEquals(50, a.clip());
        assertEquals(0.02, a.warm());
        assertEquals(0, a.rank());
        assertEquals(1.0, a.transferUntil());
        assertEquals(Generation.TRAIN, a.generation());
        assertEquals(AdapterOutput.RELEASED, a.output());
        assertEquals(1e-3, a.gateLr());
        assertEquals(1.0, a.maxAdapterRatio());
        assertEquals(new RunControl(Keep.BEST, 0, 10, null, false), c.control());
        assertEquals(false, c.frozenSource());
    }

    @Test
    void theBuilderCopiesAConfigExactlyAndChangesOnlyWhatItIsTold() {
        RunConfig c = RunConfig.builder(Mode.KD)
                .frozenSource(true)
                .training(t -> t.epochs(4).optimizer(OptimizerKind.ADAMW).schedule(Schedule.WARMUP_COSINE))
                .distillation(0.5, 2)
                .adapter(a -> a.rank(3).generation(Generation.EVAL))
                .control(r -> r.withCheckpoint(Path.of("x.ckpt"), true))
                .build();
        assertEquals(c, c.toBuilder().build());
        RunConfig d = c.withSeed(9);
        assertEquals(9, d.training().seed());
        assertEquals(c, d.withSeed(c.training().seed()));
        assertEquals(c.fingerprint().keySet(), d.fingerprint().keySet());
        assertEquals("warmup-cosine", c.fingerprint().get("schedule"));
        assertEquals("adamw", c.fingerprint().get("optimizer"));
    }

    @Test
    void buildingRejectsSettingsOutOfRangeNamingTheOption() {
        assertMessage("--epochs", () -> RunConfig.defaults(Mode.ALONE, 0, 0));
        assertMessage(
                "--transfer-until",
                () -> RunConfig.builder(Mode.MERGENET)
                        .adapter(a -> a.transferUntil(0))
                        .build());
        assertMessage(
                "--cycle",
                () -> RunConfig.builder(Mode.MERGENET).adapter(a -> a.cycle(-1)).build());
        assertMessage(
                "--kd-alpha",
                () -> RunConfig.builder(Mode.KD).distillation(1.5, 4).build());
        assertMessage(
                "--patience",
                () -> RunConfig.builder(Mode.ALONE)
                        .control(r -> r.withKeep(Keep.LAST, -1))
                        .build());
        assertMessage("--optimizer", () -> OptimizerKind.parse("adam"));
        assertMessage("--schedule", () -> Schedule.parse("linear"));
    }

    @Test
    void everyChoiceParsesItsOwnCliName() {
        for (OptimizerKind k : OptimizerKind.values()) {
            assertEquals(k, OptimizerKind.parse(k.cliName()));
        }
        for (Schedule k : Schedule.values()) {
            assertEquals(k, Schedule.parse(k.cliName()));
        }
        for (Generation k : Generation.values()) {
            assertEquals(k, Generation.parse(k.cliName()));
        }
        for (Keep k : Keep.values()) {
            assertEquals(k, Keep.parse(k.cliName()));
        }
        for (Mode m : Mode.values()) {
            assertEquals(m, Mode.parse(m.cliName()));
        }
    }

    @Test
    void theModesAnswerTheSourceQuestionsAsTheReleasedCodeComposesThem() {
        assertTrue(!Mode.ALONE.needsSource() && !Mode.ALONE.sourceRuns(false));
        assertTrue(Mode.KD.coTrainsSource(false) && !Mode.KD.coTrainsSource(true) && Mode.KD.frozenTeacher(true));
        assertTrue(Mode.MERGENET.coTrainsSource(false) && !Mode.MERGENET.sourceRuns(true));
        assertTrue(!Mode.RANDOM_SOURCE.coTrainsSource(false) && Mode.RANDOM_SOURCE.adapterReadsFixedMatrix(false));
        assertTrue(Mode.RANDOM_SOURCE_KD.coTrainsSource(false) && !Mode.RANDOM_SOURCE_KD.frozenTeacher(false));
        assertTrue(!Mode.KD.adapterReadsFixedMatrix(true) && Mode.MERGENET_KD.adapterReadsFixedMatrix(true));
    }

    private static void assertMessage(String option, Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(option), e.getMessage());
    }
}
