package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile files end in one `error:` line naming the file and exit 1, from every command that reads them. */
class HostileModelCliTest {
    @TempDir
    Path tmp;

    @Test
    void verifyRefusesATinyModelWithAHugeRange() throws Exception {
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
        Path file = tmp.resolve("range.onnx");
        Files.write(file, m.toByteArray());
        CliRun r = CliRun.of("verify", file.toString());
        assertOneErrorLine(r, file.toString(), "range_0", "memory budget");
    }

    @Test
    void exportRefusesACycleAndWritesNothing() throws Exception {
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addNode(Models.node("Relu", new String[] {"b"}, new String[] {"a"}))
                        .addNode(Models.node("Neg", new String[] {"a"}, new String[] {"b"}))
                        .addOutput(Models.value("b", TensorProto.DataType.FLOAT_VALUE))
                        .build(),
                17);
        Path file = tmp.resolve("cycle.onnx");
        Files.write(file, m.toByteArray());
        Path out = tmp.resolve("out.onnx");
        CliRun r = CliRun.of("export", file.toString(), "--out", out.toString());
        assertOneErrorLine(r, "cycle");
        assertFalse(Files.exists(out), "export wrote a graph the importer rejects");
    }

    @Test
    void inspectNamesTheFileOfANulByteLocation() throws Exception {
        TensorProto w = TensorProto.newBuilder()
                .setName("w")
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(Onnx.StringStringEntryProto.newBuilder()
                        .setKey("location")
                        .setValue("a\0b"))
                .build();
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addInitializer(w)
                        .addNode(Models.node("Identity", new String[] {"w"}, new String[] {"y"}))
                        .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE))
                        .build(),
                17);
        Path file = tmp.resolve("nul.onnx");
        Files.write(file, m.toByteArray());
        assertOneErrorLine(CliRun.of("inspect", file.toString()), file.toString(), "NUL byte");
    }

    private static void assertOneErrorLine(CliRun r, String... parts) {
        assertEquals(1, r.code(), r.err());
        String[] lines = r.err().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("error: "), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
        assertFalse(r.err().contains("\tat "), "a stack trace: " + r.err());
        for (String p : parts) {
            assertTrue(last.contains(p), "'" + p + "' missing from: " + last);
        }
    }
}
