package dev.mergenet.transfer.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.transfer.config.Generation;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.OptimizerKind;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Schedule;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.mergenet.MergeNetTransfer;
import dev.mergenet.transfer.mergenet.PairSpec;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.SgdMomentum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransferRunTest {
    @TempDir
    Path dir;

    private static Map<String, float[]> weights(TrainableModel m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.weights().forEach((k, v) -> out.put(k, v.toFloatArray()));
        m.state().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static void assertSameWeights(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    }

    @Test
    void mergenetWithTransferDisabledReproducesAloneExactly() {
        DataSplits data = TinySetup.data(300, 60);
        Map<String, float[]> alone;
        List<EpochRecord> aloneHistory;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TransferRun run =
                    TinySetup.run(TinySetup.config(Mode.ALONE, 2, 0), t, null, List.of(), data, null, m, null);
            aloneHistory = run.run();
            alone = weights(t);
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            TransferRun run = TinySetup.run(TinySetup.config(Mode.MERGENET, 2, 0), t, s, pairs, data, null, m, null);
            List<EpochRecord> h = run.run();
            assertSameWeights(alone, weights(t));
            for (int e = 0; e < 2; e++) {
                assertEquals(aloneHistory.get(e).targetTrainLoss, h.get(e).targetTrainLoss, 0);
                assertEquals(aloneHistory.get(e).targetValAccuracy, h.get(e).targetValAccuracy, 0);
            }
            assertFalse(Double.isNaN(h.get(1).sourceValAccuracy), "the source was co-trained");
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            TransferRun run = TinySetup.run(TinySetup.config(Mode.MERGENET, 2, 2), t, s, pairs, data, null, m, null);
            run.listen(TestHooks.churn()); // the adapter NaN of the past: backward read freed memory
            List<EpochRecord> h = run.run();
            h.forEach(r -> assertTrue(Double.isFinite(r.adapterGradNorm), "adapter gradient " + r.adapterGradNorm));
            assertTrue(h.get(0).adapterUpdates > 0);
            assertTrue(Double.isFinite(h.get(1).targetTrainLoss));
            Map<String, float[]> transferred = weights(t);
            String name = pairs.get(0).target();
            assertFalse(java.util.Arrays.equals(alone.get(name), transferred.get(name)), "transfer changed " + name);
        }
    }

    @Test
    void transfersStopAfterTheTransferUntilFractionOfTheSteps() {
        DataSplits data = TinySetup.data(200, 40); // 160 training samples = 5 batches of 32
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            // 2 epochs x 5 steps, cycle 2, until 0.5: transfers at steps 0, 2 and 4 only
            RunConfig cfg = TinySetup.config(Mode.MERGENET, 2, 2).toBuilder()
                    .adapter(a -> a.transferUntil(0.5).generation(Generation.EVAL))
                    .build();
            List<EpochRecord> h =
                    TinySetup.run(cfg, t, s, pairs, data, null, m, null).run();
            assertEquals(3, h.get(0).adapterUpdates);
            assertEquals(0, h.get(1).adapterUpdates);
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> TinySetup.config(Mode.MERGENET, 2, 2).toBuilder()
                        .adapter(a -> a.transferUntil(0).generation(Generation.TRAIN))
                        .build());
    }

    @Test
    void deltaEqualsLearningRateTimesMomentumBufferAfterTheStep() {
        DataSplits data = TinySetup.data(96 + 20, 20); // 96 training samples = 3 batches of 32
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            double lr = 0.05;
            // cycle 2 over 3 steps: transfers at steps 0 and 2; at step 2 the buffer carries step 1's momentum
            RunConfig cfg = TinySetup.config(Mode.MERGENET, 1, 2).toBuilder()
                    .training(tr -> tr.optimizer(OptimizerKind.SGD)
                            .lr(lr)
                            .schedule(Schedule.CONSTANT)
                            .weightDecay(5e-4))
                    .build();
            TransferRun run = TinySetup.run(cfg, t, s, pairs, data, null, m, null);
            run.run();
            assertEquals(3, run.steps());
            float[] delta =
                    run.participant(MergeNetTransfer.class).orElseThrow().lastDelta(0);
            NDArray buf =
                    ((SgdMomentum) run.targetOptimizer()).buffer(pairs.get(0).target());
            float[] b = buf.toFloatArray();
            assertEquals(b.length, delta.length);
            double maxAbs = 0;
            for (float v : b) {
                maxAbs = Math.max(maxAbs, Math.abs(v * lr));
            }
            assertTrue(maxAbs > 0);
            for (int i = 0; i < b.length; i++) {
                assertEquals(lr * b[i], delta[i], 1e-6 * maxAbs + 1e-7, "element " + i);
            }
        }
    }

    @Test
    void resumedRunEndsExactlyLikeAnUninterruptedOne() throws Exception {
        DataSplits data = TinySetup.data(200, 40);
        Path full = dir.resolve("full.ckpt");
        Path killed = dir.resolve("killed.ckpt");
        Map<String, float[]> expected;
        List<EpochRecord> expectedHistory;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            TransferRun run = TinySetup.run(
                    TinySetup.config(Mode.MERGENET, 3, 2).withCheckpoint(full, false),
                    t,
                    s,
                    pairs,
                    data,
                    null,
                    m,
                    null);
            run.listen(TestHooks.churn());
            expectedHistory = run.run();
            expected = weights(t);
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            TransferRun run = TinySetup.run(
                    TinySetup.config(Mode.MERGENET, 3, 2).withCheckpoint(killed, false),
                    t,
                    s,
                    pairs,
                    data,
                    null,
                    m,
                    null);
            run.listen(TestHooks.churn());
            run.listen(TestHooks.abortAt(12)); // 5 batches per epoch: killed in the middle of epoch 3
            assertThrows(IllegalStateException.class, run::run);
        }
        assertTrue(Files.exists(killed));
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
            TransferRun run = TinySetup.run(
                    TinySetup.config(Mode.MERGENET, 3, 2).withCheckpoint(killed, true),
                    t,
                    s,
                    pairs,
                    data,
                    null,
                    m,
                    null);
            run.listen(TestHooks.churn());
            List<EpochRecord> h = run.run();
            assertSameWeights(expected, weights(t));
            assertEquals(3, h.size());
            for (int e = 0; e < 3; e++) {
                assertEquals(expectedHistory.get(e).targetValAccuracy, h.get(e).targetValAccuracy, 0);
                assertEquals(expectedHistory.get(e).targetTrainLoss, h.get(e).targetTrainLoss, 0);
            }
        }
    }

    @Test
    void nanLossStopsNamingTheStepAndKeepsTheCheckpoint() throws Exception {
        DataSplits good = TinySetup.data(200, 40);
        Path ckpt = dir.resolve("run.ckpt");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TinySetup.run(
                            TinySetup.config(Mode.ALONE, 1, 0).withCheckpoint(ckpt, false),
                            t,
                            null,
                            List.of(),
                            good,
                            null,
                            m,
                            null)
                    .run();
        }
        byte[] before = Files.readAllBytes(ckpt);
        // Same run continued for a second epoch with a non-finite sample in the training data.
        float[] x = new float[160 * TinySetup.FEATURES];
        int[] y = new int[160];
        for (int i = 0; i < 160; i++) {
            System.arraycopy(good.train().sample(i), 0, x, i * TinySetup.FEATURES, TinySetup.FEATURES);
            y[i] = good.train().label(i);
        }
        x[77] = Float.NaN;
        DataSplits bad = new DataSplits(
                new LabeledData("bad", x, y, good.train().sampleShape(), TinySetup.CLASSES), good.validation(), null);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            // the finished 1-epoch run is extended to 2 epochs; its second epoch meets the NaN sample
            TransferRun run = TinySetup.run(
                    TinySetup.config(Mode.ALONE, 2, 0).withCheckpoint(ckpt, true),
                    t,
                    null,
                    List.of(),
                    bad,
                    null,
                    m,
                    null);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, run::run);
            assertTrue(e.getMessage().contains("epoch 2"), e.getMessage());
            assertTrue(e.getMessage().contains("Last good checkpoint: " + ckpt), e.getMessage());
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Path ckpt2 = dir.resolve("run2.ckpt");
            TrainableModel t = TinySetup.target(m);
            TransferRun run = TinySetup.run(
                    TinySetup.config(Mode.ALONE, 2, 0).withCheckpoint(ckpt2, false),
                    t,
                    null,
                    List.of(),
                    bad,
                    null,
                    m,
                    null);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, run::run);
            assertTrue(e.getMessage().contains("step "), e.getMessage());
            assertTrue(e.getMessage().contains("no epoch completed"), e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(ckpt), "checkpoint untouched");
    }

    @Test
    void badPairNameListsTheClosestNames() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainableModel t = TinySetup.target(m);
            TrainableModel s = TinySetup.source(m);
            String real = t.weights().keySet().iterator().next();
            MergeNetException e = assertThrows(
                    MergeNetException.class,
                    () -> PairSpec.resolve(
                            List.of(real + "x="
                                    + s.weights().keySet().iterator().next()),
                            t,
                            s,
                            null));
            assertTrue(e.getMessage().contains("closest: " + real), e.getMessage());
            assertNotNull(PairSpec.resolve(List.of("auto"), t, s, null).get(0));
        }
    }
}
