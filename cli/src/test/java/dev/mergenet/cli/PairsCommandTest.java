package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.adapter.ParameterAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `mergenet pairs` on two small models: every column, the auto pick and its reason, and closest-name suggestions. */
class PairsCommandTest {
    @TempDir
    Path dir;

    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;

    @Test
    void listsCandidatesWithNodesLayersMatricesAdapterSizesAndTheAutoReason() throws IOException {
        CliRun r = CliRun.of("pairs", "--source", source().toString(), "--target", target().toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        long auto = ParameterAdapter.parameterCount(8, 4, 3, 54, AdapterConfig.DEFAULT);
        // target #1: the input-major MatMul weight [4, 8] feeding a BatchNormalization, seen as 8x4
        assertRow(
                out,
                "1",
                "onnx::MatMul_7",
                "/block/block.0/fc1/MatMul",
                "MatMul",
                "block.0.fc1",
                "[4, 8]",
                "8x4",
                String.format("%,d", auto),
                "1x1/linear -> BN");
        assertRow(
                out,
                "2",
                "head.weight",
                "/head/Gemm",
                "Gemm",
                "head",
                "[3, 8]",
                "3x8",
                String.format("%,d", ParameterAdapter.parameterCount(3, 8, 3, 54, AdapterConfig.DEFAULT)),
                "linear");
        // source #1: the classifier; then the conv kernel by its torch module path; then an unused matrix
        assertRow(
                out,
                "1",
                "fc.weight",
                "/fc/Gemm",
                "Gemm",
                "fc",
                "[3, 54]",
                "3x54",
                String.format("%,d", auto),
                "linear");
        assertRow(
                out,
                "2",
                "onnx::Conv_5",
                "/layer1/layer1.0/conv1/Conv",
                "Conv",
                "layer1.0.conv1",
                "[6, 2, 3, 3]",
                "6x18",
                String.format("%,d", ParameterAdapter.parameterCount(8, 4, 6, 18, AdapterConfig.DEFAULT)),
                "conv 3x3");
        assertRow(
                out,
                "3",
                "fc.w",
                "-",
                "-",
                "-",
                "[2, 2]",
                "2x2",
                String.format("%,d", ParameterAdapter.parameterCount(8, 4, 2, 2, AdapterConfig.DEFAULT)),
                "other");
        assertTrue(
                out.contains(String.format("auto: --pair onnx::MatMul_7=fc.weight, adapter %,d parameters", auto)),
                out);
        assertTrue(
                out.contains("why: target block.0.fc1 (MatMul '/block/block.0/fc1/MatMul') is a pointwise")
                        && out.contains("feeds a BatchNormalization"),
                out);
        assertTrue(
                out.contains("source fc (Gemm '/fc/Gemm') is a Gemm/MatMul weight; the last one is the classifier"),
                out);

        CliRun ranked = CliRun.of(
                "pairs", "--source", source().toString(), "--target", target().toString(), "--rank", "2", "--top", "1");
        assertEquals(0, ranked.code(), ranked.err());
        assertTrue(
                ranked.out()
                                .contains(String.format(
                                        "%,d", ParameterAdapter.parameterCount(8, 4, 2, 54, AdapterConfig.DEFAULT)))
                        && ranked.out().contains("and 2 more"),
                ranked.out());
    }

    @Test
    void onePairAndClosestNamesByEditDistance() throws IOException {
        CliRun ok = CliRun.of(
                "pairs",
                "--source",
                source().toString(),
                "--target",
                target().toString(),
                "--pair",
                "head.weight=onnx::Conv_5");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(
                ok.out()
                        .contains(String.format(
                                "matrix 6x18: adapter %,d parameters",
                                ParameterAdapter.parameterCount(3, 8, 6, 18, AdapterConfig.DEFAULT))),
                ok.out());
        // a transposed-letter typo: fc.weight (distance 2) comes before fc.w (distance 5), though fc.w is a prefix
        CliRun typo = CliRun.of(
                "pairs",
                "--source",
                source().toString(),
                "--target",
                target().toString(),
                "--pair",
                "head.weight=fc.weigth");
        assertEquals(1, typo.code(), typo.out() + typo.err());
        String err = typo.err().strip();
        assertTrue(err.startsWith("error: ") && !err.contains("\n"), err);
        assertTrue(
                err.contains("no source matrix weight named 'fc.weigth'; closest: fc.weight, fc.w, onnx::Conv_5"), err);
    }

    private static void assertRow(String out, String... cells) {
        String row = "\\s*"
                + String.join("\\s+", Arrays.stream(cells).map(Pattern::quote).toList()) + "\\s*";
        boolean found = out.lines().anyMatch(l -> l.matches(row));
        assertTrue(found, "no row " + Arrays.toString(cells) + " in:\n" + out);
    }

    /** x[N,4] -> MatMul (input-major weight) -> BatchNormalization -> Relu -> Gemm(transB) head. */
    private Path target() throws IOException {
        GraphProto g = GraphProto.newBuilder()
                .setName("target")
                .addInitializer(Models.floats("onnx::MatMul_7", new long[] {4, 8}, new float[32]))
                .addInitializer(Models.floats("bn.weight", new long[] {8}, new float[8]))
                .addInitializer(Models.floats("bn.bias", new long[] {8}, new float[8]))
                .addInitializer(Models.floats("bn.running_mean", new long[] {8}, new float[8]))
                .addInitializer(Models.floats("bn.running_var", new long[] {8}, new float[8]))
                .addInitializer(Models.floats("head.weight", new long[] {3, 8}, new float[24]))
                .addInitializer(Models.floats("head.bias", new long[] {3}, new float[3]))
                .addNode(node("MatMul", "/block/block.0/fc1/MatMul", "h", "x", "onnx::MatMul_7"))
                .addNode(node(
                        "BatchNormalization",
                        "/block/block.0/bn/BatchNormalization",
                        "hb",
                        "h",
                        "bn.weight",
                        "bn.bias",
                        "bn.running_mean",
                        "bn.running_var"))
                .addNode(node("Relu", "/block/block.0/act/Relu", "hr", "hb"))
                .addNode(node("Gemm", "/head/Gemm", "y", "hr", "head.weight", "head.bias").toBuilder()
                        .addAttribute(Models.intAttr("transB", 1))
                        .build())
                .addInput(Models.value("x", FLOAT, 2, 4))
                .addOutput(Models.value("y", FLOAT, 2, 3))
                .build();
        return write("target.onnx", g);
    }

    /** x[N,2,5,5] -> Conv 3x3 -> Flatten -> Gemm(transB) classifier, plus an unused matrix named like it. */
    private Path source() throws IOException {
        GraphProto g = GraphProto.newBuilder()
                .setName("source")
                .addInitializer(Models.floats("fc.w", new long[] {2, 2}, new float[4]))
                .addInitializer(Models.floats("onnx::Conv_5", new long[] {6, 2, 3, 3}, new float[108]))
                .addInitializer(Models.floats("fc.weight", new long[] {3, 54}, new float[162]))
                .addInitializer(Models.floats("fc.bias", new long[] {3}, new float[3]))
                .addNode(node("Conv", "/layer1/layer1.0/conv1/Conv", "c", "x", "onnx::Conv_5"))
                .addNode(node("Flatten", "/Flatten", "f", "c"))
                .addNode(node("Gemm", "/fc/Gemm", "y", "f", "fc.weight", "fc.bias").toBuilder()
                        .addAttribute(Models.intAttr("transB", 1))
                        .build())
                .addInput(Models.value("x", FLOAT, 1, 2, 5, 5))
                .addOutput(Models.value("y", FLOAT, 1, 3))
                .build();
        return write("source.onnx", g);
    }

    private static NodeProto node(String op, String name, String output, String... inputs) {
        return Models.node(op, inputs, new String[] {output}).toBuilder()
                .setName(name)
                .build();
    }

    private Path write(String name, GraphProto g) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, Models.model(g, 13).toByteArray());
        return p;
    }
}
