package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import dev.mergenet.exporters.deploy.Deployment;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import dev.mergenet.transfer.data.DataSpec;
import dev.mergenet.transfer.data.IdxDataset;
import dev.mergenet.transfer.data.InputAdaptation;
import dev.mergenet.transfer.data.LabeledData;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path from training to a shippable model: `train --out M.onnx` then `export --checkpoint M.onnx.ckpt` gives
 * the same model; the exported model declares the shape it was trained with and carries class names and a model
 * card; with --embed-preprocessing it takes raw images and agrees with the plain model fed the trainer's own
 * preprocessing, in ONNX Runtime.
 */
class TrainExportCliTest {
    @TempDir
    Path dir;

    /** Conv 3->4, ReLU, global pooling, Gemm to 6 classes, Softmax; input [batch, 3, 32, 32]. */
    private Path smallCnn() throws Exception {
        Random r = new Random(3);
        GraphProto g = GraphProto.newBuilder()
                .setName("small_cnn")
                .addInput(input("x", 3, 32, 32))
                .addOutput(Models.value("prob", TensorProto.DataType.FLOAT_VALUE))
                .addInitializer(Models.floats("conv.w", new long[] {4, 3, 3, 3}, random(r, 108, 0.3f)))
                .addInitializer(Models.floats("conv.b", new long[] {4}, random(r, 4, 0.1f)))
                .addInitializer(Models.floats("fc.w", new long[] {6, 4}, random(r, 24, 0.5f)))
                .addInitializer(Models.floats("fc.b", new long[] {6}, random(r, 6, 0.1f)))
                .addNode(Models.node(
                        "Conv",
                        new String[] {"x", "conv.w", "conv.b"},
                        new String[] {"c"},
                        Models.ints("pads", 1, 1, 1, 1)))
                .addNode(Models.node("Relu", new String[] {"c"}, new String[] {"r"}))
                .addNode(Models.node("GlobalAveragePool", new String[] {"r"}, new String[] {"p"}))
                .addNode(Models.node("Flatten", new String[] {"p"}, new String[] {"f"}))
                .addNode(Models.node(
                                "Gemm",
                                new String[] {"f", "fc.w", "fc.b"},
                                new String[] {"logits"},
                                Models.intAttr("transB", 1))
                        .toBuilder()
                        .setName("fc")
                        .build())
                .addNode(Models.node(
                        "Softmax", new String[] {"logits"}, new String[] {"prob"}, Models.intAttr("axis", 1)))
                .build();
        Path file = dir.resolve("small_cnn.onnx");
        Files.write(file, Models.model(g, 13).toByteArray());
        return file;
    }

    private List<String> train(Path model, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--data",
                "fashion-mnist:" + TestData.require(TestData.FASHION_MNIST),
                "--num-classes",
                "10",
                "--resize",
                "16x16",
                "--channels",
                "3",
                "--mean",
                "0.5,0.4,0.3",
                "--std",
                "0.25,0.5,1",
                "--train-limit",
                "64",
                "--eval-limit",
                "16",
                "--batch-size",
                "32",
                "--epochs",
                "1",
                "--device",
                "cpu",
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void trainThenExportCheckpointGivesTheTrainedModelWithItsDeploymentMetadata() throws Exception {
        Path original = smallCnn();
        Path trained = dir.resolve("m.onnx");
        CliRun t = CliRun.of(train(original, trained).toArray(String[]::new));
        assertEquals(0, t.code(), t.out() + t.err());
        Path ckpt = dir.resolve("m.onnx.ckpt");
        assertTrue(Files.isRegularFile(ckpt), "train writes its checkpoint beside --out");

        Path exported = dir.resolve("x.onnx");
        CliRun e =
                CliRun.of("export", original.toString(), "--checkpoint", ckpt.toString(), "--out", exported.toString());
        assertEquals(0, e.code(), e.out() + e.err());

        TensorData x = random("x", 2, 3, 16, 16);
        float[] a = run(trained, x);
        float[] b = run(exported, x);
        assertEquals(20, a.length, "re-headed to 10 classes");
        assertArrayEquals(a, b, 1e-6f, "export --checkpoint equals what train wrote");

        for (Path p : List.of(trained, exported)) {
            ModelProto m = OnnxModelReader.read(p).proto();
            assertEquals(List.of("batch", "3", "16", "16"), dims(m), p + " declares the trained input shape");
            assertEquals(
                    DataSpec.FASHION_CLASSES,
                    new Gson()
                            .fromJson(
                                    Provenance.metadata(m, Deployment.KEY_CLASS_NAMES)
                                            .orElseThrow(),
                                    List.class));
            String card = Provenance.metadata(m, Deployment.KEY_MODEL_CARD).orElseThrow();
            for (String part : List.of(
                    "Data: fashion-mnist:",
                    "val_accuracy=",
                    "resize to 16x16",
                    "replicate 1 -> 3 channels",
                    "Ankle boot",
                    "Input: float32 [batch, 3, 16, 16]")) {
                assertTrue(card.contains(part), "'" + part + "' missing from the model card:\n" + card);
            }
            assertEquals("train", Provenance.lineage(m).orElseThrow().operation());
            // 0666 less the umask, like a file the JVM creates the ordinary way
            Path reference = Files.writeString(dir.resolve("reference-" + p.getFileName()), "x");
            Set<PosixFilePermission> expected = Files.getPosixFilePermissions(reference);
            assertEquals(expected, Files.getPosixFilePermissions(p), p + " honours the umask");
        }
        assertEquals(
                Files.getPosixFilePermissions(dir.resolve("reference-m.onnx")),
                Files.getPosixFilePermissions(ckpt),
                "so does the checkpoint");

        CliRun wrong = CliRun.of(
                "export",
                TestData.ocrClassifier().toString(),
                "--checkpoint",
                ckpt.toString(),
                "--out",
                dir.resolve("wrong.onnx").toString());
        assertEquals(1, wrong.code());
        String err = wrong.err().strip();
        assertTrue(
                err.startsWith("error: ")
                        && !err.contains("\n")
                        && err.contains("m.onnx.ckpt")
                        && err.contains("checkpoint was made for the model with SHA-256"),
                err);
        assertFalse(Files.exists(dir.resolve("wrong.onnx")));
    }

    @Test
    void embeddedPreprocessingOnRawImagesEqualsThePlainModelOnPreprocessedImages() throws Exception {
        Path original = smallCnn();
        Path embedded = dir.resolve("raw.onnx");
        CliRun t = CliRun.of(train(original, embedded, "--embed-preprocessing").toArray(String[]::new));
        assertEquals(0, t.code(), t.out() + t.err());
        Path plain = dir.resolve("plain.onnx");
        CliRun e = CliRun.of(
                "export",
                original.toString(),
                "--checkpoint",
                dir.resolve("raw.onnx.ckpt").toString(),
                "--out",
                plain.toString());
        assertEquals(0, e.code(), e.out() + e.err());
        Path reEmbedded = dir.resolve("raw2.onnx");
        e = CliRun.of(
                "export",
                original.toString(),
                "--checkpoint",
                dir.resolve("raw.onnx.ckpt").toString(),
                "--out",
                reEmbedded.toString(),
                "--embed-preprocessing");
        assertEquals(0, e.code(), e.out() + e.err());

        ModelProto m = OnnxModelReader.read(embedded).proto();
        assertEquals(List.of("batch", "1", "height", "width"), dims(m), "raw images of any size, one channel");
        assertTrue(Provenance.metadata(m, Deployment.KEY_PREPROCESSING)
                .orElseThrow()
                .contains("\"embedded\":true"));

        LabeledData raw = IdxDataset.load(TestData.FASHION_MNIST, false);
        InputAdaptation adaptation =
                TrainingOptions.adaptation("16x16", 3, new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.25f, 0.5f, 1f});
        LabeledData adapted = adaptation.apply(raw);
        int n = 8;
        TensorData rawBatch = batch(raw, n);
        TensorData adaptedBatch = batch(adapted, n);
        assertEquals(new Shape(n, 3, 16, 16), adaptedBatch.shape());
        float[] reference = run(plain, adaptedBatch);
        float[] fromRaw = run(embedded, rawBatch);
        assertArrayEquals(reference, fromRaw, 2e-5f, "graph preprocessing = the trainer's preprocessing");
        assertArrayEquals(reference, run(reEmbedded, rawBatch), 2e-5f, "export --embed-preprocessing, too");
        float[] plainOnRaw = run(plain, naiveRgb(rawBatch, n));
        assertFalse(java.util.Arrays.equals(reference, plainOnRaw), "the preprocessing matters for this model");
    }

    @Test
    void trainWritesFp16WithExternalDataThroughTheSameProtections() throws Exception {
        Path original = smallCnn();
        Path out = dir.resolve("h.onnx");
        Path data = dir.resolve("h.onnx.data");
        Files.writeString(data, "precious");
        CliRun refused = CliRun.of(
                train(original, out, "--precision", "fp16", "--external-data").toArray(String[]::new));
        assertEquals(1, refused.code());
        String err = refused.err().strip();
        assertTrue(
                err.startsWith("error: ")
                        && !err.contains("\n")
                        && err.contains("h.onnx.data")
                        && err.contains("--force"),
                err);
        assertEquals("precious", Files.readString(data), "an existing data file is never replaced silently");
        assertFalse(Files.exists(out) || Files.exists(dir.resolve("h.onnx.ckpt")), "refused before training");

        CliRun t = CliRun.of(train(original, out, "--precision", "fp16", "--external-data", "--force")
                .toArray(String[]::new));
        assertEquals(0, t.code(), t.out() + t.err());
        assertFalse(Files.readString(data).equals("precious"), "replaced with --force (small tensors stay inline)");
        ModelProto m = OnnxModelReader.read(out).proto();
        assertTrue(
                m.getGraph().getInitializerList().stream()
                        .anyMatch(i ->
                                i.getName().equals("conv.w") && i.getDataType() == TensorProto.DataType.FLOAT16_VALUE),
                "weights stored as float16");
        assertEquals("fp16", Provenance.lineage(m).orElseThrow().settings().get("precision"));
        Path fp32 = dir.resolve("fp32.onnx");
        assertEquals(
                0,
                CliRun.of(
                                "export",
                                original.toString(),
                                "--checkpoint",
                                dir.resolve("h.onnx.ckpt").toString(),
                                "--out",
                                fp32.toString())
                        .code());
        TensorData x = random("x", 2, 3, 16, 16);
        assertArrayEquals(run(fp32, x), run(out, x), 2e-3f, "the fp16 export of the same weights");
    }

    @Test
    void squeezeNetConvClassifierIsReheadedTrainedAndExported() throws Exception {
        Path squeeze = TestData.require(TestData.cache().resolve("torch-models/squeezenet1_1_op13.onnx"));
        Path out = dir.resolve("squeeze4.onnx");
        Path data = dir.resolve("shapes");
        for (String c : List.of("blue", "green", "red", "yellow")) {
            Path cls = Files.createDirectories(data.resolve(c));
            for (int i = 0; i < 4; i++) {
                BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
                img.setRGB(i * 8, i * 8, 0xff00ff * (c.length() + i));
                javax.imageio.ImageIO.write(img, "png", cls.resolve(i + ".png").toFile());
            }
        }
        CliRun t = CliRun.of(
                "train",
                "--model",
                squeeze.toString(),
                "--data",
                "folder:" + data,
                "--num-classes",
                "4",
                "--validation",
                "4",
                "--batch-size",
                "6",
                "--epochs",
                "1",
                "--lr",
                "0.01",
                "--device",
                "cpu",
                "--out",
                out.toString());
        assertEquals(0, t.code(), t.out() + t.err());
        assertTrue(t.err().contains("-> 4 classes"), t.err());
        Path exported = dir.resolve("x.onnx");
        assertEquals(
                0,
                CliRun.of(
                                "export",
                                squeeze.toString(),
                                "--checkpoint",
                                dir.resolve("squeeze4.onnx.ckpt").toString(),
                                "--out",
                                exported.toString())
                        .code());
        TensorData x = random("input", 1, 3, 64, 64);
        float[] a = run(out, x);
        assertEquals(4, a.length);
        assertArrayEquals(a, run(exported, x), 1e-6f);
        assertEquals(
                "[\"blue\",\"green\",\"red\",\"yellow\"]",
                Provenance.metadata(OnnxModelReader.read(out).proto(), Deployment.KEY_CLASS_NAMES)
                        .orElseThrow(),
                "folder names are the class names");
    }

    /** The raw batch replicated to 3 channels without resize or normalisation: a wrong input, for contrast. */
    private static TensorData naiveRgb(TensorData raw, int n) {
        ByteBuffer src = raw.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        src.rewind();
        float[] v = new float[n * 28 * 28];
        src.asFloatBuffer().get(v);
        float[] out = new float[n * 3 * 16 * 16];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        out[((i * 3 + c) * 16 + y) * 16 + x] = v[(i * 28 + y) * 28 + x];
                    }
                }
            }
        }
        return floats("x", new Shape(n, 3, 16, 16), out);
    }

    private static TensorData batch(LabeledData d, int n) {
        long[] s = d.sampleShape().getShape();
        int size = (int) d.sampleShape().size();
        float[] v = new float[n * size];
        for (int i = 0; i < n; i++) {
            System.arraycopy(d.sample(i), 0, v, i * size, size);
        }
        long[] dims = new long[s.length + 1];
        dims[0] = n;
        System.arraycopy(s, 0, dims, 1, s.length);
        return floats("x", new Shape(dims), v);
    }

    private static float[] run(Path model, TensorData x) {
        try (OrtRunner ort = new OrtRunner(model)) {
            TensorData y = ort.run(Map.of(ort.inputNames().get(0), x))
                    .values()
                    .iterator()
                    .next();
            ByteBuffer b = y.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            b.rewind();
            float[] out = new float[(int) y.shape().size()];
            b.asFloatBuffer().get(out);
            return out;
        }
    }

    private static List<String> dims(ModelProto m) {
        List<String> out = new ArrayList<>();
        for (TensorShapeProto.Dimension d :
                m.getGraph().getInput(0).getType().getTensorType().getShape().getDimList()) {
            out.add(d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue()));
        }
        return out;
    }

    private static ValueInfoProto input(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(shape)))
                .build();
    }

    private static float[] random(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextFloat() * 2 - 1) * scale;
        }
        return v;
    }

    private static TensorData random(String name, long... shape) {
        Random r = new Random(1);
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return floats(name, new Shape(shape), v);
    }

    private static TensorData floats(String name, Shape shape, float[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return new TensorData(name, TensorProto.DataType.FLOAT_VALUE, DataType.FLOAT32, shape, b);
    }
}
