package dev.mergenet.transfer.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.onnx.Onnx;
import dev.mergenet.transfer.selection.HostTensor;
import dev.mergenet.transfer.selection.SourceWeights;
import dev.mergenet.transfer.selection.WeightSelectionReferenceTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The random-teacher control: the PyTorch-exported (randomized, "trained") sources of the weight-selection
 * reference re-initialized as fresh PyTorch modules. Checked against PyTorch's init rule computed here from each
 * tensor's own shape (conv weight [out, in, kh, kw]: fan_in = in·kh·kw; Gemm weight [out, in]: in), BatchNorm as
 * freshly constructed (γ 1, β 0, running mean 0, var 1), determinism per seed, and the logits through ONNX Runtime.
 */
class RandomTeacherTest {
    @BeforeAll
    static void generate() throws Exception {
        WeightSelectionReferenceTest.generate();
    }

    @ParameterizedTest
    @ValueSource(strings = {"narrow", "folded"})
    void everyLayerIsDrawnByPyTorchsRuleAndTheLogitsChange(String c) {
        OnnxModel trained = WeightSelectionReferenceTest.model(c, "source");
        RandomTeacher.Reinitialized r = RandomTeacher.of(trained, 7);
        Map<String, HostTensor> before = SourceWeights.read(trained);
        Map<String, HostTensor> after = SourceWeights.read(r.model());
        assertEquals(before.keySet(), after.keySet(), c + ": the same tensors, the graph unchanged");
        assertEquals(
                trained.proto().getGraph().getNodeCount(),
                r.model().proto().getGraph().getNodeCount());
        int convs = 0;
        int norms = 0;
        for (Onnx.NodeProto n : trained.proto().getGraph().getNodeList()) {
            if (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) {
                HostTensor w = after.get(n.getInput(1));
                long fanIn = HostTensor.elements(w.shape()) / w.shape()[0];
                double bound = 1 / Math.sqrt(fanIn);
                assertWithin(w, bound, c + " " + n.getInput(1));
                if (n.getInputCount() > 2) {
                    assertWithin(after.get(n.getInput(2)), bound, c + " " + n.getInput(2));
                }
                assertFalse(Arrays.equals(before.get(n.getInput(1)).values(), w.values()), n.getInput(1));
                convs++;
            } else if (n.getOpType().equals("BatchNormalization")) {
                float[] fresh = {1, 0, 0, 1}; // scale, bias, running mean, running var of a new BatchNorm2d
                for (int k = 0; k < 4; k++) {
                    for (float v : after.get(n.getInput(k + 1)).values()) {
                        assertEquals(fresh[k], v, 0f, c + " " + n.getInput(k + 1));
                    }
                }
                norms++;
            }
        }
        assertTrue(convs >= 5, c + ": convs " + convs);
        assertEquals(c.equals("folded"), norms == 0, c + ": norms " + norms);
        assertTrue(r.kept().isEmpty(), "every float tensor belongs to a layer: " + r.kept());

        // deterministic per seed, another seed another draw
        Map<String, HostTensor> again =
                SourceWeights.read(RandomTeacher.of(trained, 7).model());
        Map<String, HostTensor> other =
                SourceWeights.read(RandomTeacher.of(trained, 8).model());
        boolean differs = false;
        for (String k : after.keySet()) {
            assertArrayEquals(after.get(k).values(), again.get(k).values(), 0f, k);
            differs |= after.get(k).rank() > 1
                    && !Arrays.equals(after.get(k).values(), other.get(k).values());
        }
        assertTrue(differs, "seed 8 draws other weights than seed 7");
        assertEquals(7, RandomTeacher.seed(7, 0), "the first teacher takes the run's seed");

        // the teacher's scores, by ONNX Runtime: a fresh model's, not the trained one's
        float[] x = new float[2 * 3 * 28 * 28];
        Random random = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        long[] shape = {2, 3, 28, 28};
        float[] t = logits(trained, x, shape);
        float[] f = logits(r.model(), x, shape);
        assertEquals(t.length, f.length);
        double diff = 0;
        for (int i = 0; i < t.length; i++) {
            diff = Math.max(diff, Math.abs(t[i] - f[i]));
        }
        assertTrue(diff > 1e-2, c + ": logits of the random teacher equal the trained one's (max diff " + diff + ")");
        assertTrue(RandomTeacher.describe("s.onnx", 7, r).startsWith("teacher: random (s.onnx re-initialized"));
    }

    /** |v| ≤ bound everywhere and, for a large tensor, the variance of U(±bound), bound²/3, within 15%. */
    private static void assertWithin(HostTensor t, double bound, String what) {
        double sum = 0;
        double sq = 0;
        for (float v : t.values()) {
            assertTrue(Math.abs(v) <= bound * (1 + 1e-6), what + ": " + v + " outside ±" + bound);
            sum += v;
            sq += v * (double) v;
        }
        int n = t.values().length;
        if (n >= 500) {
            double mean = sum / n;
            double var = sq / n - mean * mean;
            assertEquals(bound * bound / 3, var, 0.15 * bound * bound / 3, what + ": variance");
            assertEquals(0, mean, 4 * Math.sqrt(bound * bound / 3 / n), what + ": mean");
        }
    }

    private static float[] logits(OnnxModel m, float[] x, long[] shape) {
        try (OrtRunner ort = new OrtRunner(m.proto().toByteArray(), m.origin())) {
            String in = ort.inputNames().get(0);
            ByteBuffer b = ByteBuffer.allocateDirect(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : x) {
                b.putFloat(v);
            }
            b.flip();
            TensorData out = ort.run(Map.of(in, new TensorData(in, 1, DataType.FLOAT32, new Shape(shape), b)))
                    .get(ort.outputNames().get(0));
            FloatBuffer fb =
                    out.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return v;
        }
    }
}
