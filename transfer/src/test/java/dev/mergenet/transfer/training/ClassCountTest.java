package dev.mergenet.transfer.training;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.transfer.data.LabeledData;
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
            var target = TinySetup.target(m);
            // what TransferRun's constructor checks before any step
            MergeNetException e =
                    assertThrows(MergeNetException.class, () -> TransferRun.checkClassCount(target, five, m));
            assertTrue(
                    e.getMessage().contains("has 3 classes but five-class data has 5")
                            && e.getMessage().contains("ClassifierHead.replace(model, 5, seed)"),
                    e.getMessage());
        }
    }
}
