package dev.mergenet.transfer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.model.TrainableModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A participant the loop has never heard of (what a new mode adds) is called at the three points of every step in
 * order, writes its epoch measurements, has its state checkpointed and restored, and is closed with the run.
 */
class StepOrderTest {
    @TempDir
    Path dir;

    /** Records every call; its state is the number of steps it saw. */
    private static final class Recorder implements StepParticipant {
        final List<String> calls = new ArrayList<>();
        long steps;
        long restored = -1;
        boolean closed;

        @Override
        public StepRole role() {
            return StepRole.ADAPTER;
        }

        @Override
        public void startEpoch(int epoch) {
            calls.add("epoch" + epoch);
        }

        @Override
        public void beforeModels(Step step) {
            calls.add("models" + step.index());
        }

        @Override
        public void beforeTarget(Step step) {
            calls.add("target" + step.index());
        }

        @Override
        public void afterTarget(Step step) {
            calls.add("after" + step.index());
            steps++;
        }

        @Override
        public void summarize(EpochRecord record) {
            calls.add("summarize");
            record.gateMean = steps;
        }

        @Override
        public void evaluate(EpochRecord record) {
            calls.add("evaluate");
        }

        @Override
        public void saveState(Map<String, NDArray> tensors, Map<String, Long> counters) {
            counters.put("recorder.steps", steps);
        }

        @Override
        public void restoreState(SavedState saved, NDManager scope) {
            restored = saved.counter("recorder.steps");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aNewParticipantIsCalledInStepOrderAndItsStateIsCheckpointed() {
        DataSplits data = TinySetup.data(100, 20); // 80 training samples: 3 batches of 32
        Path ckpt = dir.resolve("run.ckpt");
        RunConfig cfg = TinySetup.config(Mode.ALONE, 1, 0).withCheckpoint(ckpt, false);
        Recorder first = new Recorder();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                TrainableModel t = TinySetup.target(m)) {
            TargetTraining subject = new TargetTraining(t, Optimizers.create(cfg, m), 0, 1);
            List<EpochRecord> h;
            try (TransferRun run = new TransferRun(cfg, subject, List.of(first), data, m, null)) {
                h = run.run();
            }
            assertEquals(
                    List.of(
                            "epoch0",
                            "models0",
                            "target0",
                            "after0",
                            "models1",
                            "target1",
                            "after1",
                            "models2",
                            "target2",
                            "after2",
                            "summarize",
                            "evaluate"),
                    first.calls);
            assertEquals(3, h.get(0).gateMean, 0, "the participant's epoch measurement is in the record");
            assertTrue(first.closed, "the run closes its participants");

            Recorder resumed = new Recorder();
            RunConfig more = cfg.withEpochs(2).withCheckpoint(ckpt, true);
            TargetTraining again = new TargetTraining(t, Optimizers.create(more, m), 0, 1);
            try (TransferRun run = new TransferRun(more, again, List.of(resumed), data, m, null)) {
                run.run();
            }
            assertEquals(3, resumed.restored, "the participant's counter came back from the checkpoint");
            assertEquals("epoch1", resumed.calls.get(0), "the resumed run starts at the next epoch");
        }
    }
}
