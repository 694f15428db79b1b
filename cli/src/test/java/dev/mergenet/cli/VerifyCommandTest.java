package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `mergenet verify`: the shapes it used, unknown --dim names, symbolic spatial dims, non-finite outputs, and an
 * export against its original in ONNX Runtime (fp16 passes, a wrong export fails).
 */
class VerifyCommandTest {
    @TempDir
    Path dir;

    private static final Path CLS = TestData.ocrClassifier();
    private static final String[] CLS_DIMS = {
        "--dim", "p2o.DynamicDimension.1=48", "--dim", "p2o.DynamicDimension.2=192"
    };

    @Test
    void unknownDimIsRefusedWithTheModelsDimNames() {
        CliRun r = CliRun.of("verify", CLS.toString(), "--dim", "height=48");
        assertOneLineError(r, "--dim height", "p2o.DynamicDimension.0, p2o.DynamicDimension.1, p2o.DynamicDimension.2");
        assertOneLineError(CliRun.of("verify", CLS.toString(), "--shape", "image=1x3x48x192"), "--shape image", "x");
        Path identity = TestData.onnxCase("node", "test_identity");
        assertOneLineError(
                CliRun.of(
                        "verify",
                        identity.resolve("model.onnx").toString(),
                        "--data",
                        identity.resolve("test_data_set_0").toString(),
                        "--dim",
                        "batch=2"),
                "--dim batch",
                "its inputs have none");
    }

    @Test
    void symbolicSpatialDimsAreNamedNotSetToOne() {
        CliRun r = CliRun.of("verify", TestData.ocrDetector().toString());
        assertOneLineError(r, "input 'x'", "--dim p2o.DynamicDimension.1=VALUE", "--dim p2o.DynamicDimension.2=VALUE");
        assertTrue(!r.err().contains("p2o.DynamicDimension.0="), "the batch dim defaults to 1: " + r.err());
    }

    @Test
    void printsTheInputShapesItUsed() {
        CliRun r = CliRun.of(args("verify", CLS.toString(), "--dim", "p2o.DynamicDimension.0=2"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("x FLOAT [2, 3, 48, 192]"), r.out());
        CliRun given = CliRun.of("verify", CLS.toString(), "--shape", "x=1x3x48x160");
        assertEquals(0, given.code(), given.out() + given.err());
        assertTrue(given.out().contains("x FLOAT [1, 3, 48, 160]  (--shape)"), given.out());
    }

    @Test
    void spatialDimsComeFromTheModelsMetadataOrValueInfo() throws IOException {
        ModelProto relu = reluWithSymbolicSpatialDims();
        Path bare = write("bare.onnx", relu);
        assertOneLineError(CliRun.of("verify", bare.toString()), "symbolic dims H, W", "--dim H=VALUE");

        Path withSize = write(
                "imgsz.onnx",
                relu.toBuilder()
                        .addMetadataProps(StringStringEntryProto.newBuilder()
                                .setKey("imgsz")
                                .setValue("[8, 12]"))
                        .build());
        CliRun r = CliRun.of("verify", withSize.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("x FLOAT [1, 3, 8, 12]") && r.out().contains("H=8 from metadata 'imgsz'"), r.out());

        GraphProto g = relu.getGraph().toBuilder()
                .addValueInfo(Models.value("x", 1, 1, 3, 5, 7))
                .build();
        CliRun vi = CliRun.of(
                "verify", write("vi.onnx", relu.toBuilder().setGraph(g).build()).toString());
        assertEquals(0, vi.code(), vi.out() + vi.err());
        assertTrue(vi.out().contains("x FLOAT [1, 3, 5, 7]") && vi.out().contains("from value_info of x"), vi.out());
    }

    @Test
    void nonFiniteOutputsFailWhateverTheTolerance() throws IOException {
        // y = x + log([-1, 1]) is NaN in its first column; z = x / [0, 1] is infinite there: ours and ORT agree
        GraphProto g = GraphProto.newBuilder()
                .setName("nonfinite")
                .addInitializer(Models.floats("c", new long[] {2}, -1f, 1f))
                .addInitializer(Models.floats("d", new long[] {2}, 0f, 1f))
                .addNode(node("Log", "log", new String[] {"c"}, "logc"))
                .addNode(node("Add", "add", new String[] {"x", "logc"}, "y"))
                .addNode(node("Div", "div", new String[] {"x", "d"}, "z"))
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 3, 2))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE, 3, 2))
                .addOutput(Models.value("z", TensorProto.DataType.FLOAT_VALUE, 3, 2))
                .build();
        Path p = write("nonfinite.onnx", Models.model(g, 13));
        CliRun r = CliRun.of("verify", p.toString(), "--atol", "1e9", "--rtol", "1e9");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL y") && r.out().contains("FAIL z"), r.out());
        assertTrue(r.out().contains("non-finite values: 3 in the output, 3 in the reference"), r.out());
        assertTrue(r.out().contains("NOT verified"), r.out());
    }

    @Test
    void fp16ExportPassesAgainstItsOriginalByDefault() {
        Path half = dir.resolve("half.onnx");
        assertEquals(
                0,
                CliRun.of("export", CLS.toString(), "--out", half.toString(), "--precision", "fp16")
                        .code());
        CliRun r = CliRun.of(args("verify", half.toString(), "--against", CLS.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("float16 default") && r.out().contains("ok   softmax_0.tmp_0"), r.out());
        // the same export fails the float32 tolerance of a plain comparison: the default is what lets it pass
        CliRun strict = CliRun.of(
                args("verify", half.toString(), "--against", CLS.toString(), "--atol", "1e-4", "--rtol", "1e-3"));
        assertEquals(1, strict.code(), strict.out());
    }

    @Test
    void wrongExportFailsAgainstItsOriginal() throws IOException {
        Path half = dir.resolve("half.onnx");
        assertEquals(
                0,
                CliRun.of("export", CLS.toString(), "--out", half.toString(), "--precision", "fp16")
                        .code());
        ModelProto m = OnnxModelReader.read(half).proto();
        // a classic export bug: the classifier's weight written with its sign bits flipped
        String fc = m.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("MatMul") || n.getOpType().equals("Gemm"))
                .reduce((a, b) -> b)
                .orElseThrow()
                .getInput(1);
        GraphProto.Builder g = m.getGraph().toBuilder();
        boolean flipped = false;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (n.getOpType().equals("Constant") && n.getOutput(0).equals(fc)) {
                g.setNode(
                        i,
                        n.toBuilder()
                                .setAttribute(
                                        0,
                                        n.getAttribute(0).toBuilder()
                                                .setT(negated(n.getAttribute(0).getT())))
                                .build());
                flipped = true;
            }
        }
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals(fc)) {
                g.setInitializer(i, negated(g.getInitializer(i)));
                flipped = true;
            }
        }
        assertTrue(flipped, "found the classifier weight " + fc);
        Path wrong = write("wrong.onnx", m.toBuilder().setGraph(g).build());
        CliRun r = CliRun.of(args("verify", wrong.toString(), "--against", CLS.toString()));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL softmax_0.tmp_0") && r.out().contains("NOT verified"), r.out());
    }

    /** A float16 tensor stored as raw_data with every sign bit flipped. */
    private static TensorProto negated(TensorProto t) {
        assertEquals(TensorProto.DataType.FLOAT16_VALUE, t.getDataType(), "the export stores float16");
        byte[] b = t.getRawData().toByteArray();
        for (int i = 1; i < b.length; i += 2) {
            b[i] ^= (byte) 0x80;
        }
        return t.toBuilder().setRawData(ByteString.copyFrom(b)).build();
    }

    private static ModelProto reluWithSymbolicSpatialDims() {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(3))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("H"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("W"));
        ValueInfoProto x = ValueInfoProto.newBuilder()
                .setName("x")
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(shape)))
                .build();
        GraphProto g = GraphProto.newBuilder()
                .setName("relu")
                .addNode(node("Relu", "relu", new String[] {"x"}, "y"))
                .addInput(x)
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE))
                .build();
        return Models.model(g, 13);
    }

    private static NodeProto node(String op, String name, String[] inputs, String output) {
        return Models.node(op, inputs, new String[] {output}).toBuilder()
                .setName(name)
                .build();
    }

    private Path write(String name, ModelProto m) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, m.toByteArray());
        return p;
    }

    private static String[] args(String... head) {
        String[] all = new String[head.length + CLS_DIMS.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(CLS_DIMS, 0, all, head.length, CLS_DIMS.length);
        return all;
    }

    private static void assertOneLineError(CliRun r, String... fragments) {
        assertEquals(1, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: ") && !err.contains("\n"), "expected one error line, got: " + r.err());
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' missing from: " + err);
        }
    }
}
