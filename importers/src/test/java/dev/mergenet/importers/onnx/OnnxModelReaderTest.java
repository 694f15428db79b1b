package dev.mergenet.importers.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.core.errors.UnsupportedOpsException;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files give one clear error naming the file and tensor; external data stays inside the model's folder. */
class OnnxModelReaderTest {
    @TempDir
    Path dir;

    private static ModelProto identityWith(TensorProto weight) {
        GraphProto g = GraphProto.newBuilder()
                .setName("g")
                .addNode(Models.node("Identity", new String[] {weight.getName()}, new String[] {"y"}))
                .addInitializer(weight)
                .addOutput(Models.value("y", 1))
                .build();
        return Models.model(g, 13);
    }

    private static TensorProto external(String location, long offset, long length, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName("w")
                .setDataType(1)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(
                        StringStringEntryProto.newBuilder().setKey("location").setValue(location));
        if (offset >= 0) {
            t.addExternalData(
                    StringStringEntryProto.newBuilder().setKey("offset").setValue(String.valueOf(offset)));
        }
        if (length >= 0) {
            t.addExternalData(
                    StringStringEntryProto.newBuilder().setKey("length").setValue(String.valueOf(length)));
        }
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private Path write(String name, ModelProto m) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, m.toByteArray());
        return p;
    }

    @Test
    void randomBytesAreRefused() throws IOException {
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Path p = dir.resolve("junk.onnx");
        Files.write(p, junk);
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        float[] w = new float[1000];
        ModelProto m = identityWith(Models.floats("w", new long[] {1000}, w));
        byte[] bytes = m.toByteArray();
        Path p = dir.resolve("cut.onnx");
        Files.write(p, Arrays.copyOf(bytes, bytes.length / 2));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(p));
        assertTrue(e.getMessage().contains("cut.onnx"), e.getMessage());
        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(empty));
        assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(dir.resolve("missing.onnx")));
    }

    @Test
    void dimsThatDisagreeWithDataAreRefusedAtRead() throws IOException {
        TensorProto bad = TensorProto.newBuilder()
                .setName("conv.weight")
                .setDataType(1)
                .addDims(64)
                .addDims(64)
                .setRawData(ByteString.copyFrom(new byte[16]))
                .build();
        Path p = write("bad.onnx", identityWith(bad));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(p));
        assertTrue(e.getMessage().contains("bad.onnx") && e.getMessage().contains("'conv.weight'"), e.getMessage());
    }

    @Test
    void externalDataIsReadFromTheModelsFolder() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096 + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.position(4096);
        b.putFloat(1f).putFloat(-2f).putFloat(3f);
        Files.write(dir.resolve("weights.bin"), b.array());
        Path p = write("ext.onnx", identityWith(external("weights.bin", 4096, 12, 3)));
        OnnxModel model = OnnxModelReader.read(p);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TensorProto t = model.proto().getGraph().getInitializer(0);
            assertArrayEquals(
                    new float[] {1f, -2f, 3f},
                    TensorDecoder.toNDArray(t, m, model.origin(), model.baseDir())
                            .toFloatArray());
        }
    }

    @Test
    void externalDataOutsideTheFolderIsRefused() throws IOException {
        Path outside = Files.createTempFile("secret", ".bin");
        Files.write(outside, new byte[12]);
        try {
            Path abs = write("abs.onnx", identityWith(external(outside.toString(), 0, 12, 3)));
            assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(abs))
                    .getMessage()
                    .contains("absolute"));
            Path up = write("up.onnx", identityWith(external("../" + outside.getFileName(), 0, 12, 3)));
            assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(up))
                    .getMessage()
                    .contains("leaves the model's folder"));
            Files.createSymbolicLink(dir.resolve("link.bin"), outside);
            Path link = write("link.onnx", identityWith(external("link.bin", 0, 12, 3)));
            assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(link))
                    .getMessage()
                    .contains("link"));
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void missingOrShortExternalDataIsRefused() throws IOException {
        Path missing = write("missing.onnx", identityWith(external("nowhere.bin", 0, 12, 3)));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(missing));
        assertTrue(e.getMessage().contains("nowhere.bin") && e.getMessage().contains("not found"), e.getMessage());
        Files.write(dir.resolve("short.bin"), new byte[8]);
        Path shortFile = write("short.onnx", identityWith(external("short.bin", 0, 12, 3)));
        assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(shortFile));
        Path wrongLength = write("len.onnx", identityWith(external("short.bin", 0, 8, 3)));
        assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(wrongLength))
                .getMessage()
                .contains("'w'"));
    }

    @Test
    void unsupportedOpsAreReportedTogetherBeforeAnyRun() throws IOException {
        GraphProto g = GraphProto.newBuilder()
                .setName("g")
                .addNode(Models.node("FrobnicateA", new String[] {"x"}, new String[] {"a"}).toBuilder()
                        .setName("first")
                        .build())
                .addNode(Models.node("FrobnicateB", new String[] {"a"}, new String[] {"y"}).toBuilder()
                        .setName("second")
                        .build())
                .addInput(Models.value("x", 1, 2))
                .addOutput(Models.value("y", 1))
                .build();
        Path p = write("unsupported.onnx", Models.model(g, 13));
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            UnsupportedOpsException e = assertThrows(UnsupportedOpsException.class, () -> OnnxImporter.load(p, m));
            assertEquals(2, e.problems().size());
            assertTrue(
                    e.getMessage().contains("'first'")
                            && e.getMessage().contains("'second'")
                            && e.getMessage().contains("FrobnicateA")
                            && e.getMessage().contains("unsupported.onnx"),
                    e.getMessage());
        }
    }
}
