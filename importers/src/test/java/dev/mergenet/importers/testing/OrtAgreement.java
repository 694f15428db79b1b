package dev.mergenet.importers.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/** Compares DJL outputs with ONNX Runtime outputs. */
public final class OrtAgreement {
    private OrtAgreement() {}

    /**
     * Asserts |djl - ort| <= atol + rtol * |ort| for every element of every output and returns the largest
     * absolute difference.
     */
    public static double assertAgree(String what, NDList djl, List<OrtReference.Output> ort, double atol, double rtol) {
        assertEquals(djl.size(), ort.size(), what + ": output count");
        double worst = 0;
        for (int k = 0; k < djl.size(); k++) {
            NDArray a = djl.get(k);
            OrtReference.Output o = ort.get(k);
            assertArrayEquals(o.shape(), a.getShape().getShape(), what + ": shape of output " + k);
            float[] x = a.toFloatArray();
            float[] r = o.floats();
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs((double) x[i] - r[i]);
                worst = Math.max(worst, d);
                int at = i;
                assertTrue(
                        d <= atol + rtol * Math.abs(r[i]),
                        () -> what + ": output '" + o.name() + "'[" + at + "]: DJL " + x[at] + " vs ORT " + r[at]);
            }
        }
        return worst;
    }

    /** Largest |a - b| / max(|b|, floor) over two ORT outputs. */
    public static double maxRelative(List<OrtReference.Output> a, List<OrtReference.Output> b, double floor) {
        double worst = 0;
        for (int k = 0; k < a.size(); k++) {
            float[] x = a.get(k).floats();
            float[] y = b.get(k).floats();
            assertEquals(y.length, x.length);
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(Math.abs(y[i]), floor));
            }
        }
        return worst;
    }
}
