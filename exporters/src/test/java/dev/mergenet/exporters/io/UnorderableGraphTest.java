package dev.mergenet.exporters.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.core.errors.OnnxFormatException;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer refuses what the importer refuses (no run order: a cycle or an undefined value) and writes nothing. */
class UnorderableGraphTest {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;

    @TempDir
    Path tmp;

    @Test
    void aCycleIsNotWritten() {
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addNode(Models.node("Relu", new String[] {"b"}, new String[] {"a"}))
                        .addNode(Models.node("Neg", new String[] {"a"}, new String[] {"b"}))
                        .addOutput(Models.value("b", FLOAT))
                        .build(),
                17);
        assertRefused(m, "node 'relu_0' (Relu) reads [b]", "cycle");
    }

    @Test
    void anUndefinedInputIsNotWritten() {
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addNode(Models.node("Relu", new String[] {"nowhere"}, new String[] {"y"}))
                        .addOutput(Models.value("y", FLOAT))
                        .build(),
                17);
        assertRefused(m, "reads [nowhere]");
    }

    @Test
    void anUndefinedOutputIsNotWritten() {
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addInput(Models.value("x", FLOAT, 1))
                        .addNode(Models.node("Relu", new String[] {"x"}, new String[] {"y"}))
                        .addOutput(Models.value("z", FLOAT))
                        .build(),
                17);
        assertRefused(m, "output 'z' is not defined");
    }

    @Test
    void anUndefinedNameInsideASubgraphIsNotWritten() {
        GraphProto branch = GraphProto.newBuilder()
                .setName("then")
                .addNode(Models.node("Identity", new String[] {"ghost"}, new String[] {"t"}))
                .addOutput(Models.value("t", FLOAT))
                .build();
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addInput(Models.value("c", TensorProto.DataType.BOOL_VALUE))
                        .addNode(Models.node(
                                "If",
                                new String[] {"c"},
                                new String[] {"y"},
                                graphAttr("then_branch", branch),
                                graphAttr("else_branch", branch)))
                        .addOutput(Models.value("y", FLOAT))
                        .build(),
                17);
        assertRefused(m, "ghost");
    }

    @Test
    void nodesOutOfOrderAndOuterNamesInSubgraphsAreFine() throws Exception {
        GraphProto branch = GraphProto.newBuilder()
                .setName("then")
                .addNode(Models.node("Identity", new String[] {"a"}, new String[] {"t"}))
                .addOutput(Models.value("t", FLOAT))
                .build();
        ModelProto m = Models.model(
                GraphProto.newBuilder()
                        .setName("g")
                        .addInput(Models.value("x", FLOAT, 1))
                        .addInput(Models.value("c", TensorProto.DataType.BOOL_VALUE))
                        .addNode(Models.node(
                                "If",
                                new String[] {"c"},
                                new String[] {"y"},
                                graphAttr("then_branch", branch),
                                graphAttr("else_branch", branch)))
                        .addNode(Models.node("Relu", new String[] {"x"}, new String[] {"a"}))
                        .addOutput(Models.value("y", FLOAT))
                        .build(),
                17);
        Path out = tmp.resolve("ok.onnx");
        OnnxFileWriter.write(m, out, null, WriteOptions.defaults());
        assertTrue(Files.size(out) > 0);
    }

    private void assertRefused(ModelProto m, String... parts) {
        Path out = tmp.resolve("out.onnx");
        OnnxFormatException e = assertThrows(
                OnnxFormatException.class,
                () -> OnnxFileWriter.write(m, out, null, new WriteOptions(false, false, List.of())));
        assertTrue(e.getMessage().startsWith("refusing to write " + out), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
        assertFalse(Files.exists(out), "a refused graph must not be written");
    }

    private static AttributeProto graphAttr(String name, GraphProto g) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.GRAPH)
                .setG(g)
                .build();
    }
}
