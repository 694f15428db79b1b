package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.exporters.OnnxExporter;
import dev.mergenet.exporters.TrainingCheckpoint;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.edit.ClassifierHead;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `mergenet export`: round trip, checkpoint, new head, fp16 with external data, and one clear line per bad input. */
class ExportCommandTest {
    @TempDir
    Path dir;

    private static final Path CLS = TestData.ocrClassifier();

    @Test
    void plainExportIsARoundTripWithLineage() throws IOException {
        Path out = dir.resolve("cls.onnx");
        CliRun r = CliRun.of("export", CLS.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        OnnxModel a = OnnxModelReader.read(CLS);
        OnnxModel b = OnnxModelReader.read(out);
        assertEquals(a.proto().getGraph(), b.proto().getGraph(), "graph and every tensor unchanged");
        Lineage l = Provenance.lineage(b.proto()).orElseThrow();
        assertEquals("export", l.operation());
        assertEquals(ModelHash.sha256(CLS), l.inputModelSha256());
    }

    @Test
    void checkpointWeightsAreWrittenAndRunInOnnxRuntime() throws IOException {
        Path ckpt = dir.resolve("run.ckpt");
        String sha = ModelHash.sha256(CLS);
        String stat;
        float[] newMean;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> values = floatTensors(OnnxModelReader.read(CLS), m);
            stat = values.keySet().stream()
                    .filter(k -> k.contains("batch_norm") || k.contains("bn"))
                    .filter(k -> k.endsWith("_mean") || k.endsWith("w_1"))
                    .findFirst()
                    .orElseThrow();
            NDArray changed = values.get(stat).add(0.5f);
            newMean = changed.toFloatArray();
            values.put(stat, changed);
            save(
                    values,
                    ckpt,
                    sha,
                    null,
                    new Lineage(
                            "transfer", sha, "b".repeat(64), Map.of("adapter", "mergenet"), Map.of("accuracy", 0.91)));
        }
        Path out = dir.resolve("trained.onnx");
        CliRun r = CliRun.of("export", CLS.toString(), "--out", out.toString(), "--checkpoint", ckpt.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 trained tensor(s)"), r.out());
        OnnxModel back = OnnxModelReader.read(out);
        TensorProto t = constant(back, stat);
        ByteBuffer bytes = TensorDecoder.decode(t, "out", null).bytes().order(ByteOrder.LITTLE_ENDIAN);
        float[] got = new float[newMean.length];
        bytes.asFloatBuffer().get(got);
        assertArrayEquals(newMean, got);
        assertEquals(
                constant(OnnxModelReader.read(CLS), stat).hasRawData(),
                t.hasRawData(),
                "the Constant keeps its storage form");
        Lineage l = Provenance.lineage(back.proto()).orElseThrow();
        assertEquals("transfer", l.operation());
        assertEquals("b".repeat(64), l.sourceModelSha256());
        assertEquals(0.91, l.metrics().get("accuracy"));
        try (OrtRunner ort = new OrtRunner(out)) {
            Map<String, TensorData> o = ort.run(Map.of("x", input(1, 3, 48, 192)));
            assertEquals(new Shape(1, 2), o.values().iterator().next().shape());
        }
    }

    @Test
    void newHeadAndFp16WithExternalData() throws IOException {
        Path out = dir.resolve("ten.onnx");
        CliRun r = CliRun.of(
                "export",
                CLS.toString(),
                "--out",
                out.toString(),
                "--num-classes",
                "10",
                "--precision",
                "fp16",
                "--external-data");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(dir.resolve("ten.onnx.data")), "external data beside the model");
        try (OrtRunner ort = new OrtRunner(out)) {
            TensorData o = ort.run(Map.of("x", input(2, 3, 48, 192)))
                    .values()
                    .iterator()
                    .next();
            assertEquals(new Shape(2, 10), o.shape());
            assertEquals(TensorProto.DataType.FLOAT_VALUE, o.onnxType(), "fp16 inside, float32 at the edges");
        }
        Lineage l = Provenance.lineage(OnnxModelReader.read(out).proto()).orElseThrow();
        assertEquals("10", l.settings().get("num_classes"));
        assertEquals("fp16", l.settings().get("precision"));
    }

    @Test
    void checkpointOfAReheadedModelWritesItsHead() throws IOException {
        Path ckpt = dir.resolve("run.ckpt");
        String sha = ModelHash.sha256(CLS);
        ClassifierHead.Replaced headed = ClassifierHead.replace(OnnxModelReader.read(CLS), 10, OnnxExporter.HEAD_SEED);
        float[] trainedHead;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TensorProto w = headed.model().proto().getGraph().getInitializerList().stream()
                    .filter(t -> t.getName().equals(headed.weight()))
                    .findFirst()
                    .orElseThrow();
            NDArray trained = TensorDecoder.toNDArray(w, m, "head", null).mul(-2f);
            trainedHead = trained.toFloatArray();
            save(
                    Map.of(headed.weight(), trained),
                    ckpt,
                    sha,
                    new TrainingCheckpoint.HeadEdit(10, OnnxExporter.HEAD_SEED),
                    null);
        }
        Path out = dir.resolve("ten.onnx");
        CliRun r = CliRun.of(
                "export",
                CLS.toString(),
                "--out",
                out.toString(),
                "--num-classes",
                "10",
                "--checkpoint",
                ckpt.toString());
        assertEquals(0, r.code(), r.err());
        TensorProto written = OnnxModelReader.read(out).proto().getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(headed.weight()))
                .findFirst()
                .orElseThrow();
        ByteBuffer bytes = TensorDecoder.decode(written, "out", null).bytes().order(ByteOrder.LITTLE_ENDIAN);
        float[] got = new float[trainedHead.length];
        bytes.asFloatBuffer().get(got);
        assertArrayEquals(trainedHead, got);
    }

    @Test
    void verifyAcceptsExportResults() throws IOException {
        Path plain = dir.resolve("plain.onnx");
        assertEquals(
                0,
                CliRun.of("export", CLS.toString(), "--out", plain.toString()).code());
        Path headed = dir.resolve("headed.onnx");
        assertEquals(
                0,
                CliRun.of(
                                "export",
                                CLS.toString(),
                                "--out",
                                headed.toString(),
                                "--num-classes",
                                "10",
                                "--external-data")
                        .code());
        for (Path p : List.of(plain, headed)) {
            CliRun v = CliRun.of(
                    "verify",
                    p.toString(),
                    "--dim",
                    "p2o.DynamicDimension.1=48",
                    "--dim",
                    "p2o.DynamicDimension.2=192");
            assertEquals(0, v.code(), p + ": " + v.out() + v.err());
        }
    }

    @Test
    void missingOutputFolder() throws IOException {
        Path out = dir.resolve("no/such/folder/out.onnx");
        CliRun r = CliRun.of("export", CLS.toString(), "--out", out.toString());
        assertOneLineError(r, "does not exist");
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void readOnlyOutputFolder() throws IOException {
        Path ro = readOnlyFolder();
        CliRun r = CliRun.of(
                "export", CLS.toString(), "--out", ro.resolve("out.onnx").toString(), "--external-data");
        assertOneLineError(r, "not writable");
        assertFalse(Files.exists(ro.resolve("out.onnx")));
        assertFalse(Files.exists(ro.resolve("out.onnx.data")));
    }

    @Test
    void outputEqualToInputIsRefusedEvenWithForce() throws IOException {
        Path input = dir.resolve("model.onnx");
        Files.copy(CLS, input);
        byte[] before = Files.readAllBytes(input);
        CliRun r = CliRun.of(
                "export",
                input.toString(),
                "--out",
                dir.resolve("x/../model.onnx").toString(),
                "--force");
        assertEquals(1, r.code());
        Files.createDirectory(dir.resolve("x"));
        r = CliRun.of(
                "export",
                input.toString(),
                "--out",
                dir.resolve("x/../model.onnx").toString(),
                "--force");
        assertOneLineError(r, "input model");
        assertArrayEquals(before, Files.readAllBytes(input));
        assertNoStrayFiles(List.of("model.onnx", "x"));
    }

    @Test
    void existingOutputNeedsForce() throws IOException {
        Path out = dir.resolve("out.onnx");
        Files.writeString(out, "precious");
        assertOneLineError(CliRun.of("export", CLS.toString(), "--out", out.toString()), "--force");
        assertEquals("precious", Files.readString(out));
        assertEquals(
                0,
                CliRun.of("export", CLS.toString(), "--out", out.toString(), "--force")
                        .code());
        assertEquals(
                OnnxModelReader.read(CLS).proto().getGraph(),
                OnnxModelReader.read(out).proto().getGraph());
    }

    @Test
    void checkpointOfAnotherModel() throws IOException {
        Path ckpt = dir.resolve("run.ckpt");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            save(Map.of("w", m.ones(new Shape(2))), ckpt, "c".repeat(64), null, null);
        }
        Path out = dir.resolve("out.onnx");
        assertOneLineError(
                CliRun.of("export", CLS.toString(), "--out", out.toString(), "--checkpoint", ckpt.toString()),
                "checkpoint was made for the model with SHA-256 " + "c".repeat(64));
        assertNoStrayFiles(List.of("run.ckpt"));
    }

    @Test
    void checkpointWithWrongParameters() throws IOException {
        Path ckpt = dir.resolve("run.ckpt");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> values = new LinkedHashMap<>();
            values.put("fc_0.w_0", m.ones(new Shape(200, 3)));
            values.put("not_in_the_model", m.ones(new Shape(2)));
            save(values, ckpt, ModelHash.sha256(CLS), null, null);
        }
        assertOneLineError(
                CliRun.of(
                        "export",
                        CLS.toString(),
                        "--out",
                        dir.resolve("out.onnx").toString(),
                        "--checkpoint",
                        ckpt.toString()),
                "does not match",
                "'fc_0.w_0' has shape [200, 3]",
                "not_in_the_model");
        assertOneLineError(
                CliRun.of(
                        "export",
                        CLS.toString(),
                        "--out",
                        dir.resolve("out.onnx").toString(),
                        "--checkpoint",
                        ckpt.toString(),
                        "--num-classes",
                        "4"),
                "original head",
                "4 classes");
        assertNoStrayFiles(List.of("run.ckpt"));
    }

    /** A checkpoint as train writes one: the values in the model section, plus a trainer section export ignores. */
    private static void save(
            Map<String, NDArray> values, Path file, String sha, TrainingCheckpoint.HeadEdit head, Lineage lineage) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        values.forEach((k, v) -> t.put(TrainingCheckpoint.MODEL + k, v));
        values.forEach((k, v) -> t.put("opt.target/" + k, v.mul(0)));
        TrainingCheckpoint.write(file, TrainingCheckpoint.Header.of(sha, head, null, null, lineage), t);
    }

    private void assertNoStrayFiles(List<String> expected) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(
                    expected, s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private static void assertOneLineError(CliRun r, String... fragments) {
        assertEquals(1, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: ") && !err.contains("\n"), "expected one error line, got: " + r.err());
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' missing from: " + err);
        }
    }

    /** Permission bits do not bind root; sysfs refuses new files to everyone. */
    private Path readOnlyFolder() throws IOException {
        Path ro = dir.resolve("ro");
        Files.createDirectory(ro);
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Files.delete(Files.createTempFile(ro, "probe", ".tmp"));
        } catch (IOException expected) {
            return ro;
        }
        return Path.of("/sys");
    }

    private static TensorData input(long... shape) {
        int n = (int) new Shape(shape).size();
        ByteBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(1);
        for (int i = 0; i < n; i++) {
            b.putFloat(random.nextFloat());
        }
        b.flip();
        return new TensorData(
                "x", TensorProto.DataType.FLOAT_VALUE, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(shape), b);
    }

    private static TensorProto constant(OnnxModel m, String value) {
        for (NodeProto n : m.proto().getGraph().getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getOutput(0).equals(value)) {
                return n.getAttribute(0).getT();
            }
        }
        throw new AssertionError("no Constant for " + value);
    }

    private static Map<String, NDArray> floatTensors(OnnxModel model, NDManager m) {
        Map<String, NDArray> map = new LinkedHashMap<>();
        for (NodeProto n : model.proto().getGraph().getNodeList()) {
            if (n.getOpType().equals("Constant")
                    && n.getAttributeCount() == 1
                    && n.getAttribute(0).hasT()
                    && OnnxDataTypes.isFloat(n.getAttribute(0).getT().getDataType())) {
                map.put(
                        n.getOutput(0),
                        TensorDecoder.toNDArray(n.getAttribute(0).getT(), m, "t", null));
            }
        }
        return map;
    }
}
