package dev.mergenet.transfer.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each loss's value and gradient with respect to the student's logits against scripts/distill_reference.py, a
 * PyTorch implementation of each paper in the form of its authors' code, on the same random logits (float64).
 */
class DistillationLossesTest {
    static final int BATCH = 12;
    static final int CLASSES = 7;
    static double[] student = new double[BATCH * CLASSES];
    static double[] teacher = new double[BATCH * CLASSES];
    static long[] labels = new long[BATCH];
    static JsonObject reference;

    static final List<KdLoss> CASES = List.of(
            KdLoss.defaults(KdLoss.Kind.HINTON),
            new KdLoss(KdLoss.Kind.HINTON, 1, 0, 0, 0),
            KdLoss.defaults(KdLoss.Kind.DKD),
            new KdLoss(KdLoss.Kind.DKD, 2, 0.5, 2, 0),
            KdLoss.defaults(KdLoss.Kind.ZSCORE),
            new KdLoss(KdLoss.Kind.ZSCORE, 1, 0, 0, 0),
            KdLoss.defaults(KdLoss.Kind.DIST),
            new KdLoss(KdLoss.Kind.DIST, 4, 0, 2, 0.5));

    @BeforeAll
    static void runPyTorch(@TempDir Path dir) throws Exception {
        Random r = new Random(11);
        ByteBuffer s = ByteBuffer.allocate(8 * student.length).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer t = ByteBuffer.allocate(8 * teacher.length).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer l = ByteBuffer.allocate(8 * BATCH).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < student.length; i++) {
            student[i] = 2 * r.nextGaussian();
            teacher[i] = 3 * r.nextGaussian();
            s.putDouble(student[i]);
            t.putDouble(teacher[i]);
        }
        for (int i = 0; i < BATCH; i++) {
            labels[i] = r.nextInt(CLASSES);
            l.putLong(labels[i]);
        }
        Files.write(dir.resolve("student.f64"), s.array());
        Files.write(dir.resolve("teacher.f64"), t.array());
        Files.write(dir.resolve("labels.i64"), l.array());
        JsonObject cfg = new JsonObject();
        cfg.addProperty("batch", BATCH);
        cfg.addProperty("classes", CLASSES);
        JsonArray cases = new JsonArray();
        for (KdLoss k : CASES) {
            JsonObject c = new JsonObject();
            c.addProperty("name", k.describe());
            c.addProperty("loss", k.kind().cliName());
            c.addProperty("T", k.temperature());
            c.addProperty("alpha", k.alpha());
            c.addProperty("beta", k.beta());
            c.addProperty("gamma", k.gamma());
            cases.add(c);
        }
        cfg.add("cases", cases);
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        Path.of("..", "scripts", "distill_reference.py").toString(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reference script timed out");
        assertEquals(0, p.exitValue(), "reference script failed:\n" + log);
        reference = new Gson().fromJson(Files.readString(dir.resolve("result.json")), JsonObject.class);
    }

    @Test
    void valuesAndGradientsMatchPyTorch() {
        for (KdLoss k : CASES) {
            try (NDManager m = TorchEngine.newManager(Device.cpu())) {
                NDArray s = m.create(student, new Shape(BATCH, CLASSES));
                NDArray t = m.create(teacher, new Shape(BATCH, CLASSES));
                NDArray y = m.create(labels);
                s.setRequiresGradient(true);
                double value;
                try (GradientCollector gc = TorchEngine.newGradientCollector()) {
                    NDArray loss = k.apply(s, t, y);
                    value = loss.getDouble();
                    gc.backward(loss);
                }
                double[] grad = s.getGradient().toDoubleArray();
                JsonObject ref = reference.getAsJsonObject(k.describe());
                double expected = ref.get("value").getAsDouble();
                assertTrue(expected > 1e-3, k.describe() + ": a loss of " + expected + " tests nothing");
                assertEquals(expected, value, 1e-12 * Math.max(1, Math.abs(expected)), k.describe() + " value");
                JsonArray g = ref.getAsJsonArray("grad");
                double norm = 0;
                for (int i = 0; i < grad.length; i++) {
                    assertEquals(g.get(i).getAsDouble(), grad[i], 1e-12, k.describe() + " gradient " + i);
                    norm += grad[i] * grad[i];
                }
                assertTrue(norm > 1e-8, k.describe() + ": zero gradient");
            }
        }
    }

    @Test
    void aTeacherEndingInSoftmaxDistilsLikeItsLogits() {
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            NDArray s = m.create(student, new Shape(BATCH, CLASSES));
            NDArray t = m.create(teacher, new Shape(BATCH, CLASSES));
            NDArray probs = DistillationLosses.logits(t.softmax(1), true);
            for (KdLoss k : CASES) {
                assertEquals(
                        k.apply(s, t, m.create(labels)).getDouble(),
                        k.apply(s, probs, m.create(labels)).getDouble(),
                        1e-9,
                        k.describe());
            }
        }
    }

    @Test
    void theLossesDiffer() {
        // guards against a loss silently falling back to another: the default forms give distinct values
        double a = reference
                .getAsJsonObject(KdLoss.defaults(KdLoss.Kind.HINTON).describe())
                .get("value")
                .getAsDouble();
        double b = reference
                .getAsJsonObject(KdLoss.defaults(KdLoss.Kind.DKD).describe())
                .get("value")
                .getAsDouble();
        assertTrue(Math.abs(a - b) > 1e-3, a + " " + b);
    }

    @Test
    void teachersAreAveragedOrWeightedAndMustScoreTheSameClasses() {
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            NDArray a = m.create(new double[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray b = m.create(new double[] {3, 6, -1, 0}, new Shape(2, 2));
            double[] mean = TeacherEnsemble.combine(List.of(a, b), List.of("a.onnx", "b.onnx"), null)
                    .toDoubleArray();
            assertEquals(List.of(2.0, 4.0, 1.0, 2.0), List.of(mean[0], mean[1], mean[2], mean[3]));
            double[] w = TeacherEnsemble.combine(List.of(a, b), List.of("a.onnx", "b.onnx"), new double[] {3, 1})
                    .toDoubleArray();
            assertEquals(List.of(1.5, 3.0, 2.0, 3.0), List.of(w[0], w[1], w[2], w[3]));
            NDArray c = m.create(new double[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            MergeNetException e = assertThrows(
                    MergeNetException.class,
                    () -> TeacherEnsemble.combine(List.of(a, c), List.of("a.onnx", "c.onnx"), null));
            assertEquals(
                    "the teachers' class counts differ: a.onnx scores 2 classes, c.onnx 3; every teacher must"
                            + " score the same classes in the same order",
                    e.getMessage());
        }
    }
}
