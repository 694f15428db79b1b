package dev.mergenet.core.ndarray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ScopesTest {
    @Test
    void assignAndGradientZeroingLeaveNoNaNOrInfBehind() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                NDManager scope = m.newSubManager()) {
            NDArray dst = m.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1, 2}, new Shape(2, 2));
            Scopes.assign(dst, m.create(new float[] {5, 6, 7, 8}, new Shape(2, 2)), scope);
            assertArrayEquals(new float[] {5, 6, 7, 8}, dst.toFloatArray());

            NDArray w = m.create(new float[] {1, 2}, new Shape(2));
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(w.log().sub(w.log()).mul(Float.NaN).sum()); // a NaN gradient
            }
            Scopes.zeroGradient(w);
            assertArrayEquals(new float[] {0, 0}, w.getGradient().toFloatArray());
        }
    }

    /** The alias is the weight's own tensor (no ViewBackward node, see TorchEngine.sameTensor), reached both ways. */
    @Test
    void aliasIsTheSameTensor() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                NDManager scope = m.newSubManager()) {
            NDArray w = m.create(new float[] {1, 2, 3}, new Shape(3));
            w.setRequiresGradient(true);
            NDArray a = Scopes.alias(w, scope);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(a.mul(3).sum());
            }
            assertArrayEquals(new float[] {3, 3, 3}, w.getGradient().toFloatArray());
            a.subi(1); // outside the collector: writes reach the weight
            assertArrayEquals(new float[] {0, 1, 2}, w.toFloatArray());
            a.close();
            assertArrayEquals(new float[] {0, 1, 2}, w.toFloatArray()); // closing the handle frees nothing
        }
    }
}
