package dev.mergenet.transfer.compactor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.mergenet.core.engine.TorchEngine;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ImportOptions;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.app.InitialWeights;
import dev.mergenet.transfer.app.StepComposition;
import dev.mergenet.transfer.app.demo.FashionModels;
import dev.mergenet.transfer.config.Keep;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.OptimizerKind;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Schedule;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.model.OnnxClassifier;
import dev.mergenet.transfer.model.TrainableModel;
import dev.mergenet.transfer.optim.SgdMomentum;
import dev.mergenet.transfer.selection.HostTensor;
import dev.mergenet.transfer.selection.WeightSelection;
import dev.mergenet.transfer.training.EpochRecord;
import dev.mergenet.transfer.training.Optimizers;
import dev.mergenet.transfer.training.StepListener;
import dev.mergenet.transfer.training.TargetTraining;
import dev.mergenet.transfer.training.TransferRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learned compactors: one-hot at the selection indices they generate the selected kernels bit for bit; their
 * gradient through a conv matches PyTorch's autograd; a run generates the kernels, holds them from the target's
 * optimizer and merges them at --compact-until; the control reads permuted source kernels.
 */
class CompactorTransferTest {
    @TempDir
    static Path dir;

    static OnnxModel source;
    static OnnxModel target;

    @BeforeAll
    static void pair() {
        // a same-family pair: the P2 source ResNet at width 8 and the same topology at width 4
        source = OnnxModelReader.read(
                FashionModels.write(FashionModels.sourceResNet(8), "resnet8", 11, dir.resolve("source.onnx"), true));
        target = OnnxModelReader.read(
                FashionModels.write(FashionModels.sourceResNet(4), "resnet4", 12, dir.resolve("target.onnx"), true));
    }

    @Test
    void atStepZeroTheTargetEqualsSelectionBitForBit() {
        WeightSelection.Selection sel = WeightSelection.select(source, target);
        CompactorPlan plan = CompactorPlan.of(source, target, false, 7);
        assertEquals(Map.of(), plan.excluded());
        long kernels = sel.tensors().entrySet().stream()
                .filter(e -> e.getKey().endsWith(".weight") && e.getValue().rank() > 1)
                .count();
        assertEquals(kernels, plan.layers().size(), "every conv and linear kernel is generated");
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            TrainableModel t = imported(InitialWeights.Init.COMPACTORS, m);
            TargetTraining subject = new TargetTraining(t, Optimizers.create(config(1, 0.5), m), 0.9, 4);
            // generate over the target's kernels after scrambling them, so equality cannot come from plain selection
            for (CompactorPlan.Layer l : plan.layers()) {
                NDArray w = t.weights().get(l.target());
                w.set(new ai.djl.ndarray.index.NDIndex("..."), w.mul(3).add(1));
            }
            try (CompactorTransfer c = new CompactorTransfer(plan, subject, 1e-3, 10, m)) {
                for (Map.Entry<String, HostTensor> e : sel.tensors().entrySet()) {
                    NDArray w = t.weights().get(e.getKey());
                    if (w == null) {
                        w = t.state().get(e.getKey());
                    }
                    int[] want = bits(e.getValue().values());
                    int[] got = bits(w.toFloatArray());
                    assertArrayEquals(want, got, e.getKey());
                }
                assertTrue(c.active());
            }
        }
    }

    @Test
    void theControlReadsEachSourceKernelPermuted() {
        CompactorPlan plan = CompactorPlan.of(source, target, false, 7);
        CompactorPlan control = CompactorPlan.of(source, target, true, 7);
        assertEquals(plan.layers().size(), control.layers().size());
        for (int i = 0; i < plan.layers().size(); i++) {
            float[] a = plan.layers().get(i).source().values().clone();
            float[] b = control.layers().get(i).source().values().clone();
            assertFalse(Arrays.equals(a, b), plan.layers().get(i).target() + " is permuted");
            Arrays.sort(a);
            Arrays.sort(b);
            assertArrayEquals(a, b, 0f, plan.layers().get(i).target() + " keeps its values");
            assertArrayEquals(
                    plan.layers().get(i).rows(), control.layers().get(i).rows());
        }
        float[] again = CompactorPlan.of(source, target, true, 7)
                .layers()
                .get(0)
                .source()
                .values();
        assertArrayEquals(control.layers().get(0).source().values(), again, 0f, "seeded");
    }

    @Test
    void aThreeChannelSourceStemIsExcludedWithItsReason() {
        OnnxModel rgb = OnnxModelReader.read(FashionModels.write(
                FashionModels.sourceResNet(8), "rgb", 13, dir.resolve("rgb.onnx"), true, new Shape(1, 3, 28, 28)));
        CompactorPlan plan = CompactorPlan.of(rgb, target, false, 7);
        assertEquals(1, plan.excluded().size(), plan.excluded().toString());
        String why = plan.excluded().values().iterator().next();
        assertTrue(why.contains("summed input channels") && why.contains("keeps plain selection"), why);
        assertEquals(
                CompactorPlan.of(source, target, false, 7).layers().size() - 1,
                plan.layers().size());
    }

    @Test
    void theCompactorGradientThroughAConvMatchesPyTorch(@TempDir Path tmp) throws Exception {
        Random r = new Random(5);
        long[] ws = {6, 4, 3, 3};
        long[] cr = {3, 6};
        long[] cc = {4, 2};
        long[] x = {2, 2, 5, 5};
        long[] y = {2, 3, 5, 5};
        Map<String, double[]> v = new HashMap<>();
        JsonObject in = new JsonObject();
        for (Object[] t : new Object[][] {{"ws", ws}, {"cr", cr}, {"cc", cc}, {"x", x}, {"y", y}}) {
            long[] shape = (long[]) t[1];
            double[] values = new double[(int) HostTensor.elements(shape)];
            for (int i = 0; i < values.length; i++) {
                values[i] = r.nextGaussian();
            }
            v.put((String) t[0], values);
            JsonObject o = new JsonObject();
            o.add("shape", new Gson().toJsonTree(shape));
            o.add("values", new Gson().toJsonTree(values));
            in.add((String) t[0], o);
        }
        in.addProperty("padding", 1);
        Files.writeString(tmp.resolve("input.json"), in.toString());
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        Path.of("..", "scripts", "compactor_reference.py").toString(),
                        tmp.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reference script timed out");
        assertEquals(0, p.exitValue(), "reference script failed:\n" + log);
        JsonObject ref = new Gson().fromJson(Files.readString(tmp.resolve("result.json")), JsonObject.class);
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            NDArray source = m.create(v.get("ws"), new Shape(ws));
            NDArray rows = m.create(v.get("cr"), new Shape(cr));
            NDArray cols = m.create(v.get("cc"), new Shape(cc));
            NDArray input = m.create(v.get("x"), new Shape(x));
            NDArray weights = m.create(v.get("y"), new Shape(y));
            rows.setRequiresGradient(true);
            cols.setRequiresGradient(true);
            // as a run: the target's backward gives dL/dW at the generated W, then the VJP reaches the compactors
            NDArray w = CompactorTransfer.generate(source, rows, cols, 0, 1).duplicate();
            assertClose(ref.getAsJsonArray("w"), w.toDoubleArray(), "W_t");
            w.setRequiresGradient(true);
            try (GradientCollector gc = TorchEngine.newGradientCollector()) {
                NDArray loss = Conv2d.conv2d(input, w, null, new Shape(1, 1), new Shape(1, 1))
                        .singletonOrThrow()
                        .mul(weights)
                        .sum();
                assertEquals(ref.get("loss").getAsDouble(), loss.getDouble(), 1e-9);
                gc.backward(loss);
            }
            NDArray g = w.getGradient().duplicate();
            try (GradientCollector gc = TorchEngine.newGradientCollector()) {
                gc.backward(CompactorTransfer.generate(source, rows, cols, 0, 1)
                        .mul(g.stopGradient())
                        .sum());
            }
            assertClose(ref.getAsJsonArray("grad_cr"), rows.getGradient().toDoubleArray(), "dL/dC_r");
            assertClose(ref.getAsJsonArray("grad_cc"), cols.getGradient().toDoubleArray(), "dL/dC_c");
            // a MatMul stores [in, out]: generating in that layout is the transpose of generating [out, in]
            NDArray s2 = m.create(Arrays.copyOf(v.get("ws"), 24), new Shape(6, 4));
            NDArray dense = CompactorTransfer.generate(s2, rows, cols, 0, 1);
            NDArray stored = CompactorTransfer.generate(s2.transpose(), rows, cols, 1, 0);
            assertArrayEquals(dense.transpose().toDoubleArray(), stored.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void aRunGeneratesHoldsAndMergesTheKernels() {
        CompactorPlan plan = CompactorPlan.of(source, target, false, 7);
        DataSplits data = data(96, 32);
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            // compact-until 1: generated to the end, so the target's optimizer never held state for them
            TrainableModel t = imported(InitialWeights.Init.COMPACTORS, m);
            Map<String, float[]> start = snapshot(t, plan);
            try (TransferRun run =
                    StepComposition.run(config(2, 1), t, null, List.of(), data, null, null, plan, m, null)) {
                List<EpochRecord> h = run.run();
                assertEquals(2, h.size());
                CompactorTransfer c = run.participant(CompactorTransfer.class).orElseThrow();
                assertTrue(c.active());
                SgdMomentum opt = (SgdMomentum) run.targetOptimizer();
                for (CompactorPlan.Layer l : plan.layers()) {
                    assertEquals(null, opt.buffer(l.target()), l.target() + " is held from the target's optimizer");
                    assertFalse(
                            Arrays.equals(
                                    start.get(l.target()),
                                    t.weights().get(l.target()).toFloatArray()),
                            l.target() + " moved with its compactors");
                }
                assertTrue(Double.isFinite(h.get(1).targetValAccuracy));
            }
            // compact-until 0.5: merged after the first epoch, then the target's optimizer steps them
            TrainableModel t2 = imported(InitialWeights.Init.COMPACTORS, m);
            try (TransferRun run =
                    StepComposition.run(config(2, 0.5), t2, null, List.of(), data, null, null, plan, m, null)) {
                run.run();
                assertFalse(
                        run.participant(CompactorTransfer.class).orElseThrow().active());
                SgdMomentum opt = (SgdMomentum) run.targetOptimizer();
                for (CompactorPlan.Layer l : plan.layers()) {
                    assertNotNull(opt.buffer(l.target()), l.target() + " trains as the target's own after the merge");
                }
            }
        }
    }

    @Test
    void aResumedRunEqualsTheUninterruptedOneBeforeAndAfterTheMerge() {
        CompactorPlan plan = CompactorPlan.of(source, target, false, 7);
        DataSplits data = data(160, 32); // 4 batches per epoch, 12 steps; merged at step 6
        Map<String, float[]> expected;
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            TrainableModel t = imported(InitialWeights.Init.COMPACTORS, m);
            try (TransferRun run = StepComposition.run(
                    config(3, 0.5).withCheckpoint(dir.resolve("full.ckpt"), false),
                    t,
                    null,
                    List.of(),
                    data,
                    null,
                    null,
                    plan,
                    m,
                    null)) {
                run.run();
            }
            expected = weights(t);
        }
        // killed at step 5 (checkpoint of epoch 1: compactors active) and at step 10 (of epoch 2: merged)
        for (long abortAt : new long[] {5, 10}) {
            Path ckpt = dir.resolve("killed" + abortAt + ".ckpt");
            try (NDManager m = TorchEngine.newManager(Device.cpu())) {
                TrainableModel t = imported(InitialWeights.Init.COMPACTORS, m);
                try (TransferRun run = StepComposition.run(
                        config(3, 0.5).withCheckpoint(ckpt, false),
                        t,
                        null,
                        List.of(),
                        data,
                        null,
                        null,
                        plan,
                        m,
                        null)) {
                    run.listen(new StepListener() {
                        @Override
                        public void afterStep(long stepsDone) {
                            if (stepsDone == abortAt) {
                                throw new IllegalStateException("killed");
                            }
                        }
                    });
                    assertThrows(IllegalStateException.class, run::run);
                }
            }
            try (NDManager m = TorchEngine.newManager(Device.cpu())) {
                TrainableModel t = imported(InitialWeights.Init.COMPACTORS, m);
                try (TransferRun run = StepComposition.run(
                        config(3, 0.5).withCheckpoint(ckpt, true),
                        t,
                        null,
                        List.of(),
                        data,
                        null,
                        null,
                        plan,
                        m,
                        null)) {
                    run.run();
                }
                Map<String, float[]> got = weights(t);
                for (Map.Entry<String, float[]> e : expected.entrySet()) {
                    assertArrayEquals(
                            e.getValue(), got.get(e.getKey()), 0f, "killed at " + abortAt + ": " + e.getKey());
                }
            }
        }
        // a checkpoint without compactor state is refused with the reason
        try (NDManager m = TorchEngine.newManager(Device.cpu())) {
            TrainableModel t = imported(InitialWeights.Init.SELECTION, m);
            Path plain = dir.resolve("plain.ckpt");
            try (TransferRun run = StepComposition.run(
                    config(1, 0.5).withCheckpoint(plain, false), t, null, List.of(), data, null, null, null, m, null)) {
                run.run();
            }
            TrainableModel t2 = imported(InitialWeights.Init.COMPACTORS, m);
            try (TransferRun run = StepComposition.run(
                    config(2, 0.5).withCheckpoint(plain, true), t2, null, List.of(), data, null, null, plan, m, null)) {
                MergeNetException e = assertThrows(MergeNetException.class, run::run);
                assertTrue(e.getMessage().contains("holds no compactor state"), e.getMessage());
            }
        }
    }

    private static Map<String, float[]> weights(TrainableModel t) {
        Map<String, float[]> out = new HashMap<>();
        t.weights().forEach((k, v) -> out.put(k, v.toFloatArray()));
        t.state().forEach((k, v) -> out.put("state/" + k, v.toFloatArray()));
        return out;
    }

    private static Map<String, float[]> snapshot(TrainableModel t, CompactorPlan plan) {
        Map<String, float[]> out = new HashMap<>();
        plan.layers()
                .forEach(l -> out.put(l.target(), t.weights().get(l.target()).toFloatArray()));
        return out;
    }

    private static TrainableModel imported(InitialWeights.Init init, NDManager m) {
        TrainableModel t = new OnnxClassifier(OnnxImporter.load(target, m, ImportOptions.DEFAULT), true);
        InitialWeights.apply(init, source, target, t, 7, m, null);
        return t;
    }

    private static RunConfig config(int epochs, double compactUntil) {
        return RunConfig.builder(Mode.ALONE)
                .training(tr -> tr.epochs(epochs)
                        .seed(7)
                        .batchSize(32)
                        .optimizer(OptimizerKind.SGD)
                        .lr(0.05)
                        .schedule(Schedule.STEP)
                        .weightDecay(5e-4))
                .adapter(a -> a.compactUntil(compactUntil).lr(1e-2))
                .control(rc -> rc.withKeep(Keep.LAST, 0))
                .build();
    }

    /** 10 classes of 1×28×28 images: a class-dependent bright square on noise. */
    private static DataSplits data(int n, int validation) {
        Random r = new Random(3);
        float[] x = new float[n * 28 * 28];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 10;
            for (int k = 0; k < 28 * 28; k++) {
                int row = k / 28;
                int col = k % 28;
                boolean on = row / 7 == y[i] / 4 && col / 7 == y[i] % 4;
                x[i * 28 * 28 + k] = (float) (0.3 * r.nextGaussian() + (on ? 1 : 0));
            }
        }
        return DataSplits.split(new LabeledData("squares", x, y, new Shape(1, 28, 28), 10), null, validation, 0);
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i] == 0 ? 0f : v[i]); // +0 and -0 are the same weight
        }
        return b;
    }

    private static void assertClose(JsonArray want, double[] got, String what) {
        assertEquals(want.size(), got.length, what);
        double scale = 0;
        for (int i = 0; i < got.length; i++) {
            scale = Math.max(scale, Math.abs(want.get(i).getAsDouble()));
        }
        assertTrue(scale > 1e-3, what + " is too small to test anything");
        for (int i = 0; i < got.length; i++) {
            assertEquals(want.get(i).getAsDouble(), got[i], 1e-10 * scale, what + " " + i);
        }
    }
}
