package dev.mergenet.importers.ort;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.core.errors.ResourceLimitException;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime folds constant Ranges while it creates a session: a too-large one is refused before that. */
class OrtRunnerBudgetTest {
    @Test
    void aTinyModelWithAHugeConstantRangeIsRefusedBeforeTheSessionExists(@TempDir Path dir) throws Exception {
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addInitializer(Models.longs("s", new long[0], 0))
                        .addInitializer(Models.longs("l", new long[0], (1L << 31) - 1))
                        .addInitializer(Models.longs("d", new long[0], 1))
                        .addNode(Models.node("Range", new String[] {"s", "l", "d"}, new String[] {"y"}))
                        .addOutput(Models.value("y", TensorProto.DataType.INT64_VALUE))
                        .build(),
                17);
        Path file = dir.resolve("range.onnx");
        Files.write(file, m.toByteArray());
        assertTrue(Files.size(file) < 200, "the point is a tiny file: " + Files.size(file));
        ResourceLimitException e = assertThrows(ResourceLimitException.class, () -> new OrtRunner(file).close());
        assertTrue(e.getMessage().startsWith(file + ": node 'range_0' (Range)"), e.getMessage());
        assertTrue(e.getMessage().contains("memory budget"), e.getMessage());
        ResourceLimitException fromBytes =
                assertThrows(ResourceLimitException.class, () -> new OrtRunner(m.toByteArray(), "bytes.onnx").close());
        assertTrue(fromBytes.getMessage().startsWith("bytes.onnx: node 'range_0'"), fromBytes.getMessage());
    }

    @Test
    void aSmallConstantRangeStillRunsInOnnxRuntime(@TempDir Path dir) throws Exception {
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addInitializer(Models.longs("s", new long[0], 2))
                        .addInitializer(Models.longs("l", new long[0], 9))
                        .addInitializer(Models.longs("d", new long[0], 3))
                        .addNode(Models.node("Range", new String[] {"s", "l", "d"}, new String[] {"y"}))
                        .addOutput(Models.value("y", TensorProto.DataType.INT64_VALUE))
                        .build(),
                17);
        try (OrtRunner ort = new OrtRunner(m.toByteArray(), "small.onnx")) {
            var out = ort.run(Map.of()).get("y");
            long[] v = new long[3];
            out.bytes()
                    .duplicate()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asLongBuffer()
                    .get(v);
            Assertions.assertArrayEquals(new long[] {2, 5, 8}, v);
        }
    }
}
