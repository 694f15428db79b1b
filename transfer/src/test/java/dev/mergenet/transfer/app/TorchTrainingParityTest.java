package dev.mergenet.transfer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.data.BatchOrder;
import dev.mergenet.transfer.data.DataSpec;
import dev.mergenet.transfer.data.DataSplits;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.data.LabeledData;
import dev.mergenet.transfer.optim.LearningRateSchedule;
import dev.mergenet.transfer.training.EpochRecord;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's parity test: a fresh torchvision-style BatchNorm network exported by PyTorch 1.13 at opset 17 in eval
 * mode (its BatchNorm weights, biases and running statistics merged by value into two initializers per width)
 * trains with our `train` path to within 1.5 pp of PyTorch training the same network from the same initial
 * weights, on the same samples in the same batch order, with the same recipe (SGD 0.1, momentum 0.9, weight
 * decay 5e-4 on every parameter, batch 128, step schedule) and epochs. The trained export runs in ONNX Runtime
 * with the accuracy the training reported.
 */
class TorchTrainingParityTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final int TRAIN = 4000;
    private static final int TEST = 2000;
    private static final int EPOCHS = 4;
    private static final long SEED = 0;

    @Test
    void freshBatchNormExportTrainsLikePyTorch(@TempDir Path dir) throws Exception {
        assertTrue(Files.isDirectory(FASHION), FASHION + " is missing: run scripts/test-data.sh");
        RunConfig config = RunConfig.defaults(Mode.ALONE, EPOCHS, SEED);
        // the data TransferJob loads for this request: validation none, first 4k of the pool, first 2k of test
        String spec = "fashion-mnist:" + FASHION;
        DataSplits data = DataSpec.parse(spec)
                .load(InputAdaptation.NONE, 0, 0)
                .limitTrain(TRAIN, 1)
                .limitEval(TEST);
        writeInputs(dir, data, config);
        runPyTorch("export", dir);
        Path onnx = dir.resolve("net.onnx");
        assertFresh(onnx);

        Path out = dir.resolve("trained.onnx");
        TransferJob.Request req = TransferJob.Request.builder(onnx, spec, config)
                .sourceAdaptation(InputAdaptation.NONE)
                .limits(0, TRAIN, TEST)
                .outputs(out, null, null)
                .commandLine("parity test")
                .build();
        List<EpochRecord> ours = TransferJob.run(req, Device.cpu(), System.out).history();
        System.out.printf(
                "CPU time of this JVM so far: %.1f s%n",
                ProcessHandle.current().info().totalCpuDuration().orElseThrow().toMillis() / 1000.0);
        runPyTorch("train", dir);
        JsonArray torch = new Gson()
                .fromJson(Files.readString(dir.resolve("torch_result.json")), JsonObject.class)
                .getAsJsonArray("history");

        for (int e = 0; e < EPOCHS; e++) {
            System.out.printf(
                    "epoch %d: ours train loss %.4f test %.2f%% | PyTorch train loss %.4f test %.2f%%%n",
                    e + 1,
                    ours.get(e).targetTrainLoss,
                    100 * ours.get(e).targetTestAccuracy,
                    torch.get(e).getAsJsonObject().get("train_loss").getAsDouble(),
                    100 * torch.get(e).getAsJsonObject().get("test_accuracy").getAsDouble());
        }
        double oursFinal = ours.get(EPOCHS - 1).targetTestAccuracy;
        double torchFinal =
                torch.get(EPOCHS - 1).getAsJsonObject().get("test_accuracy").getAsDouble();
        assertTrue(torchFinal > 0.6, "PyTorch itself should learn (" + torchFinal + ")");
        assertTrue(
                Math.abs(oursFinal - torchFinal) <= 0.015,
                String.format(
                        "test accuracy after %d epochs: ours %.2f%%, PyTorch %.2f%%",
                        EPOCHS, 100 * oursFinal, 100 * torchFinal));
        assertEquals(oursFinal, ortAccuracy(out, data.test()), 0.0025, "the exported model in ONNX Runtime");
    }

    /** What the PyTorch script reads: the exact samples, the per-epoch sample order and the per-epoch rates. */
    private static void writeInputs(Path dir, DataSplits data, RunConfig config) throws IOException {
        writeSamples(dir, "train", data.train());
        writeSamples(dir, "test", data.test());
        int n = data.train().size();
        ByteBuffer order = ByteBuffer.allocate(4 * n * EPOCHS).order(ByteOrder.LITTLE_ENDIAN);
        JsonArray lrs = new JsonArray();
        LearningRateSchedule schedule = LearningRateSchedule.parse(
                config.training().schedule().cliName(), config.training().lr());
        for (int e = 0; e < EPOCHS; e++) {
            for (int i : BatchOrder.forEpoch(n, config.training().seed(), e)) {
                order.putInt(i);
            }
            lrs.add(schedule.rate(e, EPOCHS));
        }
        Files.write(dir.resolve("order.i32"), order.array());
        JsonObject cfg = new JsonObject();
        cfg.addProperty("train", n);
        cfg.addProperty("test", data.test().size());
        cfg.addProperty("epochs", EPOCHS);
        cfg.addProperty("batch", config.training().batchSize());
        cfg.add("lrs", lrs);
        cfg.addProperty("momentum", config.training().momentum());
        cfg.addProperty("weight_decay", config.training().weightDecay());
        Files.writeString(dir.resolve("config.json"), cfg.toString());
    }

    private static void writeSamples(Path dir, String name, LabeledData d) throws IOException {
        assertEquals(new Shape(1, 28, 28), d.sampleShape());
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            int[] all = new int[d.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            float[] x = d.features(m, all, 0, all.length).toFloatArray();
            ByteBuffer xb = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
            xb.asFloatBuffer().put(x);
            Files.write(dir.resolve(name + "_x.f32"), xb.array());
            ByteBuffer yb = ByteBuffer.allocate(4 * all.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int i : all) {
                yb.putInt(d.label(i));
            }
            Files.write(dir.resolve(name + "_y.i32"), yb.array());
        }
    }

    private static void runPyTorch(String step, Path dir) throws IOException, InterruptedException, URISyntaxException {
        Path script = Path.of(TorchTrainingParityTest.class
                .getResource("/parity/torch_parity.py")
                .toURI());
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), step, dir.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "PyTorch " + step + " timed out");
        System.out.print(log);
        assertEquals(
                0,
                p.exitValue(),
                "PyTorch " + step + " failed (python3-torch and python3-torchvision from " + "scripts/test-data.sh):\n"
                        + log);
    }

    /** The export is the case the issue names: value-merged BatchNorm initializers behind Identity nodes. */
    private static void assertFresh(Path onnx) {
        var g = OnnxModelReader.read(onnx).proto().getGraph();
        long norms = g.getNodeList().stream()
                .filter(n -> n.getOpType().equals("BatchNormalization"))
                .count();
        long widths = g.getNodeList().stream()
                .filter(n -> n.getOpType().equals("BatchNormalization"))
                .map(n -> n.getInput(1))
                .distinct()
                .count();
        assertEquals(9, norms);
        assertTrue(g.getNodeList().stream().anyMatch(n -> n.getOpType().equals("Identity")));
        assertTrue(
                g.getInitializerList().stream().map(TensorProto::getName).noneMatch(s -> s.contains("running")),
                "PyTorch merged the running statistics into the weights");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock block = OnnxImporter.load(OnnxModelReader.read(onnx), m);
            assertEquals(2 * norms, block.runningStatNames().size());
            assertEquals(4 * norms - 2 * 3, block.split().splits().size(), widths + " widths");
            block.close();
        }
    }

    /** Test accuracy of the exported file in ONNX Runtime. */
    private static double ortAccuracy(Path model, LabeledData test) {
        long correct = 0;
        try (OrtRunner ort = new OrtRunner(model);
                NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            int[] all = new int[test.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            for (int from = 0; from < all.length; from += 500) {
                int to = Math.min(from + 500, all.length);
                TensorData x = TensorData.fromOnnxBytes(
                        "input",
                        TensorProto.DataType.FLOAT_VALUE,
                        new Shape(to - from, 1, 28, 28),
                        toBytes(test.features(m, all, from, to).toFloatArray()));
                Map<String, TensorData> out = ort.run(Map.of("input", x));
                float[] logits = out.get("logits").toNDArray(m).toFloatArray();
                for (int i = 0; i < to - from; i++) {
                    int best = 0;
                    for (int k = 1; k < 10; k++) {
                        if (logits[i * 10 + k] > logits[i * 10 + best]) {
                            best = k;
                        }
                    }
                    correct += best == test.label(from + i) ? 1 : 0;
                }
            }
        }
        return (double) correct / test.size();
    }

    private static ByteBuffer toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }
}
