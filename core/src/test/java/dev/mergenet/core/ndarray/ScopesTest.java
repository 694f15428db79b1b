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
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch"); NDManager scope = m.newSubManager()) {
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
}
