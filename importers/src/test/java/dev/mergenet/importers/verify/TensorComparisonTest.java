package dev.mergenet.importers.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * What verify reports: max rel only where rtol governs (the PaddleOCR detector's 1e-7 probabilities once printed
 * "ok ... max rel 1.46"), the share of tolerance used, non-finite counts, and atol scaled by the output's magnitude.
 */
class TensorComparisonTest {
    @Test
    void nearZeroReferencesDoNotInflateTheRelativeDifference() {
        // 1.27e-7 off a 8.7e-8 reference is rel 1.46 but far inside atol; the 0.5 element is 2e-5 relative
        TensorComparison.Result r =
                TensorComparison.compare(floats(2.14e-7f, 0.50001f), floats(8.7e-8f, 0.5f), 1e-4, 1e-3);
        assertTrue(r.ok());
        assertEquals(2e-5, r.maxRel(), 1e-6);
        assertEquals(1e-5 / (1e-4 + 1e-3 * 0.5), r.worstRatio(), 1e-3);
    }

    @Test
    void outsideTheToleranceTheWorstRatioExceedsOne() {
        TensorComparison.Result r = TensorComparison.compare(floats(1.01f, 0f), floats(1f, 0f), 1e-4, 1e-3);
        assertFalse(r.ok());
        assertEquals(0.01 / (1e-4 + 1e-3), r.worstRatio(), 0.1);
    }

    @Test
    void nonFiniteValuesAreCountedAndFailOnlyWhenRequired() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        TensorComparison.Result r = TensorComparison.compare(floats(nan, inf, 1f), floats(nan, inf, 1f), 1e-4, 1e-3);
        assertTrue(r.ok(), "NaN equals NaN for conformance");
        assertEquals(2, r.nonFiniteActual());
        assertEquals(2, r.nonFiniteExpected());
        assertFalse(r.requireFinite().ok());
        assertTrue(r.requireFinite().reason().startsWith("non-finite values: 2 in the output, 2 in the reference"));
        assertTrue(TensorComparison.compare(floats(1f), floats(1f), 1e-4, 1e-3)
                .requireFinite()
                .ok());
    }

    @Test
    void scaledAtolFollowsTheOutputsMagnitude() {
        Tolerance half = Tolerance.FLOAT16;
        // outputs of 1e-3 that came back as zeros: an absolute 2e-2 would pass them, a scaled one does not
        assertFalse(TensorComparison.compare(floats(0f, 0f), floats(1e-3f, 5e-4f), half)
                .ok());
        assertTrue(TensorComparison.compare(floats(1.005e-3f, 5e-4f), floats(1e-3f, 5e-4f), half)
                .ok());
        assertTrue(TensorComparison.compare(floats(0f, 0f), floats(1e-3f, 5e-4f), 2e-2, 2e-2)
                .ok());
    }

    private static TensorData floats(float... v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        b.flip();
        return new TensorData("t", TensorProto.DataType.FLOAT_VALUE, DataType.FLOAT32, new Shape(v.length), b);
    }
}
