package dev.mergenet.transfer.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.LabeledData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A model with fewer classes than the data is a MergeNetException naming both counts, not an engine error. */
class ClassCountTest {
    @Test
    void fewerModelClassesThanDataClassesIsAProjectError() {
        int n = 10;
        float[] x = new float[n * TinySetup.FEATURES];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 5;
        }
        LabeledData five = new LabeledData("five-class data", x, y, new Shape(TinySetup.FEATURES), 5);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            DjlBlockModel target = TinySetup.target(m);
            MergeNetException e = assertThrows(MergeNetException.class, () -> new TransferRun(
                    RunConfig.defaults(Mode.ALONE, 1, 0), target, null, List.of(), new DataSplits(five, null, null),
                    null, m, null));
            assertTrue(e.getMessage().contains("has 3 classes but five-class data has 5")
                    && e.getMessage().contains("ClassifierHead.replace(model, 5, seed)"), e.getMessage());
        }
    }
}
