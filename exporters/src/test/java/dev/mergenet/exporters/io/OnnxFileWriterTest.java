package dev.mergenet.exporters.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.djl.DjlModelExporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorDecoder;
import dev.mergenet.importers.testing.OrtReference;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** External data layout and read-back, and the refusals that protect inputs and existing files. */
class OnnxFileWriterTest {
    private static ModelProto cnn;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            SequentialBlock b = new SequentialBlock()
                    .add(Conv2d.builder()
                            .setKernelShape(new Shape(3, 3))
                            .setFilters(16)
                            .build())
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock())
                    .add(Pool.globalAvgPool2dBlock())
                    .add(Linear.builder().setUnits(32).build());
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 12, 12));
            cnn = new DjlModelExporter().export(b, "cnn", new Shape(1, 3, 12, 12));
        }
    }

    @Test
    void forcedExternalDataRoundTrips() throws Exception {
        Path out = tmp.resolve("model.onnx");
        OnnxFileWriter.Written w = OnnxFileWriter.write(cnn, out, null, new WriteOptions(false, true, List.of()));
        assertEquals(tmp.resolve("model.onnx.data"), w.dataFile());
        // conv weight at 0, linear weight at the next page
        assertEquals(4096 + 4 * 32 * 16, Files.size(w.dataFile()));

        ModelProto onDisk = ModelProto.parseFrom(Files.readAllBytes(out));
        int external = 0;
        for (TensorProto t : onDisk.getGraph().getInitializerList()) {
            if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
                assertTrue(t.getRawData().size() < OnnxFileWriter.EXTERNAL_THRESHOLD, t.getName() + " is small");
                continue;
            }
            external++;
            Map<String, String> kv = t.getExternalDataList().stream()
                    .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
            assertEquals("model.onnx.data", kv.get("location"), "relative location beside the model");
            assertEquals(0, Long.parseLong(kv.get("offset")) % 4096, t.getName() + " offset is page-aligned");
            assertFalse(t.hasRawData());
        }
        assertEquals(2, external, "the conv and linear weights are above the 1 KiB threshold");

        // the importer's reader resolves them back to the same bytes
        OnnxModel back = OnnxModelReader.read(out);
        for (int i = 0; i < cnn.getGraph().getInitializerCount(); i++) {
            TensorProto a = cnn.getGraph().getInitializer(i);
            TensorProto b = back.proto().getGraph().getInitializer(i);
            assertEquals(
                    TensorDecoder.decode(a, "orig", null).bytes(),
                    TensorDecoder.decode(b, "back", tmp).bytes());
        }
        // ONNX Runtime reads the external file and computes the same bits
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                OrtReference a = new OrtReference(cnn.toByteArray());
                OrtReference b = new OrtReference(out)) {
            NDList x = new NDList(m.randomNormal(new Shape(3, 3, 12, 12)));
            assertEquals(a.run(x).get(0).bytes(), b.run(x).get(0).bytes());
        }
        // and exporting the external model again inlines its tensors when asked for a plain file
        Path inline = tmp.resolve("sub");
        Files.createDirectory(inline);
        OnnxFileWriter.write(back.proto(), inline.resolve("again.onnx"), back.baseDir(), WriteOptions.defaults());
        ModelProto again = ModelProto.parseFrom(Files.readAllBytes(inline.resolve("again.onnx")));
        assertEquals(cnn.getGraph().getInitializerList(), again.getGraph().getInitializerList());
    }

    @Test
    void constantNodeWeightsGoToExternalDataToo() throws Exception {
        OnnxModel cls = OnnxModelReader.read(TestData.ocrClassifier());
        Path out = tmp.resolve("cls.onnx");
        OnnxFileWriter.Written w =
                OnnxFileWriter.write(cls.proto(), out, cls.baseDir(), new WriteOptions(false, true, List.of()));
        assertTrue(w.dataBytes() > 500_000, "the classifier's Constant weights moved: " + w.dataBytes());
        assertTrue(Files.size(out) < 200_000, "the model file keeps only the graph: " + Files.size(out));
        OnnxModel back = OnnxModelReader.read(out);
        for (int i = 0; i < cls.proto().getGraph().getNodeCount(); i++) {
            var a = cls.proto().getGraph().getNode(i);
            var b = back.proto().getGraph().getNode(i);
            if (a.getOpType().equals("Constant")) {
                assertEquals(
                        TensorDecoder.decode(a.getAttribute(0).getT(), "a", null)
                                .bytes(),
                        TensorDecoder.decode(b.getAttribute(0).getT(), "b", back.baseDir())
                                .bytes());
            }
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                OrtReference a = new OrtReference(TestData.ocrClassifier());
                OrtReference b = new OrtReference(out)) {
            NDList x = new NDList(m.randomUniform(0, 1, new Shape(2, 3, 48, 192)));
            assertEquals(a.run(x).get(0).bytes(), b.run(x).get(0).bytes(), "ORT reads Constant external data");
        }
        // and back to a single file
        Path single = tmp.resolve("single");
        Files.createDirectory(single);
        OnnxFileWriter.write(back.proto(), single.resolve("cls.onnx"), back.baseDir(), WriteOptions.defaults());
        ModelProto inline = ModelProto.parseFrom(Files.readAllBytes(single.resolve("cls.onnx")));
        assertEquals(cls.proto().getGraph(), inline.getGraph(), "raw_data Constants come back as they were");
    }

    @Test
    void missingFolderIsRefusedAndNothingIsWritten() {
        Path out = tmp.resolve("nowhere").resolve("m.onnx");
        MergeNetException e = assertThrows(
                MergeNetException.class, () -> OnnxFileWriter.write(cnn, out, null, WriteOptions.defaults()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(out.getParent()));
    }

    @Test
    void readOnlyFolderIsRefusedAndNothingIsWritten() throws Exception {
        Path ro = readOnlyFolder(tmp);
        Path out = ro.resolve("m.onnx");
        MergeNetException e = assertThrows(
                MergeNetException.class,
                () -> OnnxFileWriter.write(cnn, out, null, new WriteOptions(false, true, List.of())));
        assertTrue(e.getMessage().contains("not writable"), e.getMessage());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(ro.resolve("m.onnx.data")));
    }

    @Test
    void inputAndExistingFilesAreProtected() throws Exception {
        Path input = tmp.resolve("in.onnx");
        Files.write(input, cnn.toByteArray());
        byte[] before = Files.readAllBytes(input);
        MergeNetException e = assertThrows(
                MergeNetException.class,
                () -> OnnxFileWriter.write(
                        cnn, tmp.resolve("./in.onnx"), null, new WriteOptions(true, false, List.of(input))));
        assertTrue(e.getMessage().contains("input model"), e.getMessage());
        Path link = tmp.resolve("link.onnx");
        Files.createSymbolicLink(link, input);
        e = assertThrows(
                MergeNetException.class,
                () -> OnnxFileWriter.write(cnn, link, null, new WriteOptions(true, false, List.of(input))));
        assertTrue(e.getMessage().contains("input model"), e.getMessage());
        assertTrue(Arrays.equals(before, Files.readAllBytes(input)));

        Path other = tmp.resolve("other.onnx");
        Files.writeString(other, "keep me");
        e = assertThrows(
                MergeNetException.class, () -> OnnxFileWriter.write(cnn, other, null, WriteOptions.defaults()));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("keep me", Files.readString(other));
        OnnxFileWriter.write(cnn, other, null, new WriteOptions(true, false, List.of()));
        assertEquals(cnn, ModelProto.parseFrom(Files.readAllBytes(other)));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(
                    List.of("in.onnx", "link.onnx", "other.onnx"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left behind");
        }
    }

    /**
     * A folder this process cannot create files in. Permission bits do not bind root, so when they do not
     * bind us, fall back to sysfs, which refuses new files to everyone.
     */
    static Path readOnlyFolder(Path tmp) throws Exception {
        Path ro = tmp.resolve("ro");
        Files.createDirectory(ro);
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Files.delete(Files.createTempFile(ro, "probe", ".tmp"));
        } catch (IOException expected) {
            return ro;
        }
        Path sys = Path.of("/sys");
        assertTrue(Files.isDirectory(sys), "no read-only folder available for this test");
        return sys;
    }
}
