package dev.mergenet.transfer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.core.ndarray.Scopes;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.config.Keep;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.OptimizerKind;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Schedule;
import dev.mergenet.transfer.data.BatchOrder;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.mergenet.PairSpec;
import dev.mergenet.transfer.model.TrainableModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The modes as compositions (kd, random-source, --source-data, gated output) and the loop's keep/stop rules. */
class TransferModesTest {
    @TempDir
    Path dir;

    private static Map<String, float[]> values(Map<String, NDArray> m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static Map<String, float[]> weights(TrainableModel m) {
        Map<String, float[]> out = values(m.weights());
        out.putAll(values(m.state()));
        return out;
    }

    private static void assertSame(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    }

    private static Map<String, float[]> alone(RunConfig cfg, DataSplits data) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TinySetup.run(cfg.withMode(Mode.ALONE), t, null, List.of(), data, null, m, null)
                    .run();
            return weights(t);
        }
    }

    @Test
    void gatedOutputWithClosedGatesReproducesAloneBitForBitAndOpensWhenTrained() {
        DataSplits data = TinySetup.data(300, 60);
        RunConfig base = TinySetup.config(Mode.MERGENET, 2, 2);
        Map<String, float[]> alone = alone(base, data);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            RunConfig cfg = base.toBuilder()
                    .adapter(a -> a.output(AdapterOutput.GATED).gateLr(0))
                    .build(); // gates never move from 0
            TransferRun run = TinySetup.run(cfg, t, s, pairs, data, null, m, null);
            List<EpochRecord> h = run.run();
            assertTrue(h.get(0).adapterUpdates > 0, "the adapter ran");
            assertEquals(0, h.get(1).gateMean, 0);
            assertSame(alone, weights(t));
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            RunConfig cfg = base.toBuilder()
                    .adapter(a -> a.output(AdapterOutput.GATED).gateLr(0.05))
                    .build();
            TransferRun run = TinySetup.run(cfg, t, s, pairs, data, null, m, null);
            run.listen(TestHooks.churn());
            List<EpochRecord> h = run.run();
            assertNotEquals(0, h.get(1).gateMean, "trained gates move");
            String name = pairs.get(0).target();
            assertFalse(java.util.Arrays.equals(alone.get(name), weights(t).get(name)), "the gated transfer acts");
        }
    }

    @Test
    void distillationWithZeroWeightIsAloneAndWithWeightPullsTheTargetTowardsTheFrozenTeacher() {
        DataSplits data = TinySetup.data(300, 60);
        RunConfig base =
                TinySetup.config(Mode.KD, 3, 0).toBuilder().frozenSource(true).build();
        Map<String, float[]> alone = alone(base, data);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            TinySetup.run(base.toBuilder().distillation(0, 4).build(), t, s, List.of(), data, null, m, null)
                    .run();
            assertSame(alone, weights(t));
        }
        double klAlone;
        double klKd;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel teacher = TinySetup.source(m);
            Map<String, float[]> teacherBefore = weights(teacher);
            TrainableModel t = TinySetup.target(m);
            klAlone = klToTeacher(alone, t, teacher, data, m);
            t = TinySetup.target(m);
            TinySetup.run(base.toBuilder().distillation(1.0, 1).build(), t, teacher, List.of(), data, null, m, null)
                    .run();
            klKd = klToTeacher(weights(t), t, teacher, data, m);
            assertSame(teacherBefore, weights(teacher)); // frozen: never trained
        }
        assertTrue(klKd < 0.5 * klAlone, "KL(teacher || target) alone " + klAlone + ", distilled " + klKd);
    }

    /** Mean KL(softmax(teacher) ‖ softmax(target)) on the validation set, the target set to {@code values}. */
    private static double klToTeacher(
            Map<String, float[]> values, TrainableModel target, TrainableModel teacher, DataSplits data, NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            Map<String, NDArray> all = new LinkedHashMap<>(target.weights());
            all.putAll(target.state());
            all.forEach((k, v) -> Scopes.assign(v, scope.create(values.get(k), v.getShape()), scope));
            int[] order = new int[data.validation().size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            NDArray x = data.validation().features(scope, order, 0, order.length);
            NDArray kl = Losses.distillation(target.forward(x, false), false, teacher.forward(x, false), false, 1);
            return kl.getFloat();
        }
    }

    @Test
    void frozenTeachersCachedScoresEqualItsForwardPass() {
        DataSplits data = TinySetup.data(300, 60);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                NDManager scope = m.newSubManager()) {
            TrainableModel teacher = TinySetup.source(m);
            FrozenTeacher cached = new FrozenTeacher(teacher, data.train(), 64, m);
            int[] order = BatchOrder.forEpoch(data.train().size(), 3, 1);
            float[] fromCache = cached.scores(order, 32, 64, scope).toFloatArray();
            float[] direct = teacher.forward(data.train().features(scope, order, 32, 64), false)
                    .toFloatArray();
            assertArrayEquals(direct, fromCache, 1e-6f);
        }
    }

    @Test
    void randomSourceSeesOnlyTheSourcesShapeAndScale() {
        DataSplits data = TinySetup.data(200, 40);
        RunConfig frozen = TinySetup.config(Mode.RANDOM_SOURCE, 1, 1).toBuilder()
                .frozenSource(true)
                .build();
        Map<String, float[]> control = runWithSource(frozen, data, false);
        // the source's classifier with its entries permuted has the same shape and RMS: the control must not change
        assertSame(control, runWithSource(frozen, data, true));
        // while MergeNet from the frozen source does read the values
        RunConfig real = frozen.withMode(Mode.MERGENET);
        assertFalse(
                Arrays.equals(flat(runWithSource(real, data, false)), flat(runWithSource(real, data, true))),
                "mergenet reads the source's values");
    }

    private static float[] flat(Map<String, float[]> m) {
        return m.values().stream()
                .reduce((a, b) -> {
                    float[] c = Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, c, a.length, b.length);
                    return c;
                })
                .orElseThrow();
    }

    private static Map<String, float[]> runWithSource(RunConfig cfg, DataSplits data, boolean permuteSource) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            if (permuteSource) {
                NDArray w = s.weights().get(pairs.get(0).source());
                float[] v = w.toFloatArray();
                float[] r = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    r[i] = v[v.length - 1 - i];
                }
                try (NDManager scope = m.newSubManager()) {
                    Scopes.assign(w, scope.create(r, w.getShape()), scope);
                }
            }
            TinySetup.run(cfg, t, s, pairs, data, null, m, null).run();
            return weights(t);
        }
    }

    @Test
    void sourceDataTrainsTheCoTrainedSourceOnItsOwnSetInItsOwnOrder() {
        DataSplits data = TinySetup.data(200, 40);
        DataSplits own = TinySetup.data(200, 40); // walked in the source's own order
        RunConfig cfg = TinySetup.config(Mode.MERGENET, 2, 0); // co-trained, no transfer
        Map<String, float[]> coTrained;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            List<EpochRecord> h =
                    TinySetup.run(cfg, t, s, pairs, data, own, m, null).run();
            assertTrue(Double.isFinite(h.get(1).sourceValAccuracy));
            coTrained = weights(s);
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            // the same source trained alone on its set, with the seed the co-training derives for its order
            TrainableModel s = TinySetup.source(m);
            TinySetup.run(
                            cfg.withMode(Mode.ALONE).withSeed(cfg.training().seed() + 7_777),
                            s,
                            null,
                            List.of(),
                            own,
                            null,
                            m,
                            null)
                    .run();
            assertSame(weights(s), coTrained);
        }
    }

    @Test
    void keepBestEndsWithTheBestValidationEpochsWeightsAndPatienceStopsEarly() {
        DataSplits data = TinySetup.data(200, 40);
        RunConfig constant = TinySetup.config(Mode.ALONE, 6, 0).toBuilder()
                .training(tr -> tr.optimizer(OptimizerKind.SGD)
                        .lr(0.2)
                        .schedule(Schedule.CONSTANT)
                        .weightDecay(5e-4))
                .build();
        List<EpochRecord> h;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            h = TinySetup.run(constant, TinySetup.target(m), null, List.of(), data, null, m, null)
                    .run();
        }
        int bestEpoch = 1;
        for (EpochRecord r : h) {
            if (r.targetValAccuracy > h.get(bestEpoch - 1).targetValAccuracy) {
                bestEpoch = r.epoch + 1;
            }
        }
        Map<String, float[]> atBest;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TinySetup.run(constant.withEpochs(bestEpoch), t, null, List.of(), data, null, m, null)
                    .run();
            atBest = weights(t);
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TransferRun run = TinySetup.run(
                    constant.toBuilder()
                            .control(rc -> rc.withKeep(Keep.BEST, 0))
                            .build(),
                    t,
                    null,
                    List.of(),
                    data,
                    null,
                    m,
                    null);
            run.run();
            assertEquals(bestEpoch, run.keptEpoch());
            assertSame(atBest, weights(t));
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TransferRun run = TinySetup.run(
                    constant.withEpochs(40).toBuilder()
                            .control(rc -> rc.withKeep(Keep.BEST, 1))
                            .build(),
                    TinySetup.target(m),
                    null,
                    List.of(),
                    data,
                    null,
                    m,
                    null);
            List<EpochRecord> stopped = run.run();
            assertTrue(stopped.size() < 40, "patience 1 stops before 40 epochs");
            assertEquals(stopped.size(), run.keptEpoch() + 1);
            assertTrue(run.stopReason().contains("early stop"), run.stopReason());
        }
    }

    @Test
    void aLossThatGrowsPastTheRatioStopsTheRun() {
        DataSplits data = TinySetup.data(600, 40);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            // ratio 0.5: the run must stop as soon as the loss is over half its initial value after the first steps
            TransferRun run = TinySetup.run(
                    TinySetup.config(Mode.ALONE, 1, 0).toBuilder()
                            .training(tr -> tr.optimizer(OptimizerKind.SGD)
                                    .lr(0.0)
                                    .schedule(Schedule.CONSTANT)
                                    .weightDecay(0))
                            .control(rc -> rc.withMaxLossRatio(0.5))
                            .build(),
                    TinySetup.target(m),
                    null,
                    List.of(),
                    data,
                    null,
                    m,
                    null);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, run::run);
            assertTrue(e.getMessage().contains("exploded"), e.getMessage());
            assertTrue(e.getMessage().contains("nothing exported"), e.getMessage());
        }
    }

    @Test
    void aFinishedRunIsExtendedByResumingWithMoreEpochsAndOtherSettingsAreNamed() {
        DataSplits data = TinySetup.data(200, 40);
        RunConfig constant = TinySetup.config(Mode.ALONE, 3, 0).toBuilder()
                .training(tr -> tr.optimizer(OptimizerKind.SGD)
                        .lr(0.05)
                        .schedule(Schedule.CONSTANT)
                        .weightDecay(5e-4))
                .build();
        Map<String, float[]> straight;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TinySetup.run(constant, t, null, List.of(), data, null, m, null).run();
            straight = weights(t);
        }
        Path ckpt = dir.resolve("run.ckpt");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TinySetup.run(
                            constant.withEpochs(2).withCheckpoint(ckpt, false),
                            TinySetup.target(m),
                            null,
                            List.of(),
                            data,
                            null,
                            m,
                            null)
                    .run();
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            List<EpochRecord> h = TinySetup.run(
                            constant.withCheckpoint(ckpt, true), t, null, List.of(), data, null, m, null)
                    .run();
            assertEquals(3, h.size());
            assertSame(straight, weights(t));
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            MergeNetException e = assertThrows(
                    MergeNetException.class,
                    () -> TinySetup.run(
                                    constant.toBuilder()
                                            .training(tr -> tr.optimizer(OptimizerKind.SGD)
                                                    .lr(0.1)
                                                    .schedule(Schedule.CONSTANT)
                                                    .weightDecay(5e-4))
                                            .build()
                                            .withCheckpoint(ckpt, true),
                                    TinySetup.target(m),
                                    null,
                                    List.of(),
                                    data,
                                    null,
                                    m,
                                    null)
                            .run());
            assertTrue(e.getMessage().contains("lr 0.05 -> 0.1"), e.getMessage());
            assertFalse(e.getMessage().contains("seed"), "only what differs is named: " + e.getMessage());
        }
    }

    @Test
    void aResumedGatedRunEndsExactlyLikeAnUninterruptedOne() {
        DataSplits data = TinySetup.data(200, 40);
        RunConfig cfg = TinySetup.config(Mode.MERGENET, 3, 1).toBuilder()
                .adapter(a -> a.output(AdapterOutput.GATED).gateLr(0.05))
                .build();
        Map<String, float[]> expected;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            TinySetup.run(cfg, t, s, PairSpec.resolve(List.of("auto"), t, s, null), data, null, m, null)
                    .run();
            expected = weights(t);
        }
        Path ckpt = dir.resolve("gated.ckpt");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            TransferRun run = TinySetup.run(
                    cfg.withCheckpoint(ckpt, false),
                    t,
                    s,
                    PairSpec.resolve(List.of("auto"), t, s, null),
                    data,
                    null,
                    m,
                    null);
            run.listen(
                    TestHooks.abortAt(12)); // in epoch 3: the offsets of epoch 2's last injection are in the checkpoint
            assertThrows(IllegalStateException.class, run::run);
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            TinySetup.run(
                            cfg.withCheckpoint(ckpt, true),
                            t,
                            s,
                            PairSpec.resolve(List.of("auto"), t, s, null),
                            data,
                            null,
                            m,
                            null)
                    .run();
            assertSame(expected, weights(t));
        }
    }
}
