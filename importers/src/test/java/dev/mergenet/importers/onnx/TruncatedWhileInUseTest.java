package dev.mergenet.importers.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model or data file truncated while a run still uses it: the run keeps its copy or fails with the file's name. */
class TruncatedWhileInUseTest {
    private static final int N = 1 << 18;

    @Test
    void aModelTruncatedAfterReadingKeepsItsTensors(@TempDir Path dir) throws Exception {
        float[] values = new float[N];
        for (int i = 0; i < N; i++) {
            values[i] = i * 0.5f;
        }
        ByteBuffer raw = ByteBuffer.allocate(4 * N).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto w = TensorProto.newBuilder()
                .setName("w")
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(N)
                .setRawData(ByteString.copyFrom(raw.array()))
                .build();
        Path file = dir.resolve("model.onnx");
        Files.write(
                file,
                Models.model(
                                GraphProto.newBuilder()
                                        .setName("g")
                                        .addInitializer(w)
                                        .addNode(Models.node("Identity", new String[] {"w"}, new String[] {"y"}))
                                        .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE))
                                        .build(),
                                17)
                        .toByteArray());
        OnnxModel model = OnnxModelReader.read(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(16); // a mapped model would fault (InternalError) on the next tensor read
        }
        TensorData decoded =
                TensorDecoder.decode(model.proto().getGraph().getInitializer(0), model.origin(), model.baseDir());
        float[] back = new float[N];
        decoded.bytes()
                .duplicate()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(back);
        assertArrayEquals(values, back);
    }

    @Test
    void externalDataTruncatedAfterItsCheckFailsWithTheFileName(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("w.bin"), new byte[4 * N]);
        TensorProto w = TensorProto.newBuilder()
                .setName("w")
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(N)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(
                        StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))
                .build();
        ExternalData.Ref ref = ExternalData.resolve(w, "m.onnx", dir);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("w.bin").toFile(), "rw")) {
            f.setLength(100);
        }
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> ExternalData.read(ref, "m.onnx", "w"));
        assertTrue(
                e.getMessage().contains("m.onnx: tensor 'w'") && e.getMessage().contains("truncated"), e.getMessage());
    }
}
