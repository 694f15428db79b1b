package dev.mergenet.transfer.training;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.transfer.adapter.ParameterAdapter;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.mergenet.MergeNetTransfer;
import dev.mergenet.transfer.mergenet.PairSpec;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.ParameterOptimizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Closing a run frees what its participants and models own, and anything used after close says so. */
class OwnershipTest {
    private static void assertClosed(String what, Executable use) {
        IllegalStateException e = assertThrows(IllegalStateException.class, use, what);
        assertTrue(e.getMessage().contains("after close()"), what + ": " + e.getMessage());
    }

    @Test
    void closingARunFreesItsParticipantsAndModelsAndRefusesFurtherUse() {
        DataSplits data = TinySetup.data(120, 24);
        RunConfig cfg = TinySetup.config(Mode.MERGENET_KD, 1, 2);
        TransferRun run;
        MergeNetTransfer transfer;
        ParameterAdapter adapter;
        NDArray adapterWeight;
        ParameterOptimizer targetOptimizer;
        TrainableModel target;
        NDArray targetWeight;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            try (TrainableModel t = TinySetup.target(m);
                    TrainableModel s = TinySetup.source(m)) {
                List<PairSpec> pairs = PairSpec.resolve(List.of("auto"), t, s, null);
                try (TransferRun r = TinySetup.run(cfg, t, s, pairs, data, null, m, null)) {
                    r.run();
                    run = r;
                    transfer = r.participant(MergeNetTransfer.class).orElseThrow();
                    assertTrue(r.participant(SourceCoTraining.class).isPresent(), "mergenet+kd co-trains the source");
                    adapter = transfer.adapter(0);
                    adapterWeight =
                            adapter.arrays().parameters().values().iterator().next();
                    targetOptimizer = r.targetOptimizer();
                    assertFalse(adapterWeight.isReleased());
                }
                assertTrue(adapterWeight.isReleased(), "the run's close freed the adapter's parameters");
                assertClosed("run", run::run);
                assertClosed("transfer", () -> transfer.adapter(0));
                assertClosed("adapter", adapter::arrays);
                assertClosed("optimizer", () -> targetOptimizer.step(Map.of(), 0.1, m));
                target = t;
                targetWeight = t.weights().values().iterator().next();
            }
            assertTrue(targetWeight.isReleased(), "the model's close freed its weights");
            assertClosed("model", target::weights);
            assertClosed("model", () -> target.forward(m.zeros(new Shape(1, TinySetup.FEATURES)), false));
        }
    }
}
