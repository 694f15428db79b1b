package dev.mergenet.transfer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.transfer.adapter.AdapterOutput;
import dev.mergenet.transfer.config.Keep;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.OptimizerKind;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Schedule;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.mergenet.PairSpec;
import dev.mergenet.transfer.model.TrainableModel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Pins what users see across refactors: a 2-epoch fixed-seed run of each composition ends with exactly these
 * weights and epoch records (SHA-256 over the target's float bits and every non-timing record field; the digests
 * were computed by the code before the transfer module was rebuilt around participants, and must not move).
 */
class FixedSeedResultsTest {
    private static final DataSplits DATA = TinySetup.data(300, 60);

    private static String run(Mode mode, UnaryOperator<RunConfig> edit) {
        RunConfig cfg = edit.apply(TinySetup.config(mode, 2, 2));
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                TrainableModel t = TinySetup.target(m);
                TrainableModel s = mode == Mode.ALONE ? null : TinySetup.source(m)) {
            List<PairSpec> pairs = mode.usesAdapter() ? PairSpec.resolve(List.of("auto"), t, s, null) : List.of();
            try (TransferRun run = TinySetup.run(cfg, t, s, pairs, DATA, null, m, null)) {
                return digest(t, run.run());
            }
        }
    }

    private static String digest(TrainableModel t, List<EpochRecord> history) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Map<String, NDArray> all = new TreeMap<>(t.weights());
            all.putAll(t.state());
            all.forEach((k, v) -> {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                for (float f : v.toFloatArray()) {
                    md.update(ByteBuffer.allocate(4)
                            .putInt(Float.floatToIntBits(f))
                            .array());
                }
            });
            for (EpochRecord r : history) {
                double[] fields = {
                    r.epoch,
                    r.targetLr,
                    r.targetTrainLoss,
                    r.targetTrainAccuracy,
                    r.targetValLoss,
                    r.targetValAccuracy,
                    r.targetTestLoss,
                    r.targetTestAccuracy,
                    r.sourceTrainLoss,
                    r.sourceTrainAccuracy,
                    r.sourceValLoss,
                    r.sourceValAccuracy,
                    r.adapterUpdates,
                    r.adapterGradNorm,
                    r.adapterDeltaNorm,
                    r.injectionRelativeJump,
                    r.adapterLr,
                    r.gateMean,
                    r.bestSoFar ? 1 : 0
                };
                for (double d : fields) {
                    md.update(ByteBuffer.allocate(8)
                            .putLong(Double.doubleToLongBits(d))
                            .array());
                }
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void alone() {
        assertEquals("15d9aa145bbac098e5aa35eafb5dd94b", run(Mode.ALONE, c -> c));
    }

    @Test
    void distillationFromAFrozenTeacher() {
        assertEquals(
                "79a9b0736ee1bda2e424214c44c263d4",
                run(Mode.KD, c -> c.toBuilder().frozenSource(true).build()));
    }

    @Test
    void distillationFromACoTrainedSource() {
        assertEquals("e69814def095683b5e13d4b7749c3763", run(Mode.KD, c -> c));
    }

    @Test
    void mergenetWithACoTrainedSource() {
        assertEquals("a5ec153784792ba217b6045412f5e360", run(Mode.MERGENET, c -> c));
    }

    @Test
    void mergenetWithAFrozenSourceAndGatedOutput() {
        assertEquals(
                "a0a04942187faec1c27d6e5d2c12838d",
                run(
                        Mode.MERGENET,
                        c -> c.toBuilder()
                                .frozenSource(true)
                                .adapter(a -> a.output(AdapterOutput.GATED).gateLr(0.05))
                                .build()));
    }

    @Test
    void mergenetWithDistillation() {
        assertEquals("35727ffc99b3f1bacbc4d63b32b69467", run(Mode.MERGENET_KD, c -> c));
    }

    @Test
    void randomSourceWithDistillationAndALowRankFactor() {
        assertEquals(
                "0acca1edd88cffe81f5823d38efcb6e6",
                run(
                        Mode.RANDOM_SOURCE_KD,
                        c -> c.toBuilder()
                                .adapter(a -> a.rank(2))
                                .frozenSource(false)
                                .build()));
    }

    @Test
    void adamWWithCosineScheduleAndKeepBest() {
        assertEquals(
                "48a1fa69775249b82999dc5047242fb0",
                run(
                        Mode.MERGENET,
                        c -> c.toBuilder()
                                .training(tr -> tr.optimizer(OptimizerKind.ADAMW)
                                        .lr(0.01)
                                        .schedule(Schedule.COSINE)
                                        .weightDecay(1e-4))
                                .control(rc -> rc.withKeep(Keep.BEST, 0))
                                .build()));
    }
}
