package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.onnx.Onnx.TensorShapeProto;
import dev.mergenet.onnx.Onnx.TypeProto;
import dev.mergenet.onnx.Onnx.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported files are byte-for-byte what the export path wrote before it read the original once (issue 15):
 * SHA-256 of each file pinned from that code. Training uses --lr 0 so the weights, and so the bytes, do not depend
 * on floating-point order; the data file has a fixed name because the lineage records it (its name only, since issue 18).
 */
class ExportBytesTest {
    /** Relative to the module folder, the working directory of its tests: the lineage's "data" must not vary. */
    private static final Path DATA = Path.of("target", "export-bytes", "data.csv");

    @TempDir
    Path dir;

    @Test
    void trainAndExportWriteTheBytesTheyWroteBefore() throws Exception {
        Path mlp = mlp(dir);
        writeData();
        List<String> got = new ArrayList<>();

        Path headed = dir.resolve("headed.onnx");
        run(train(mlp, headed, "--num-classes", "4"));
        got.add("train re-headed " + ModelHash.sha256(headed));

        Path half = dir.resolve("half.onnx");
        run(train(mlp, half, "--num-classes", "4", "--precision", "fp16", "--external-data", "--keep", "last"));
        got.add("train fp16 " + ModelHash.sha256(half));
        got.add("train fp16 data " + ModelHash.sha256(dir.resolve("half.onnx.data")));

        Path plain = dir.resolve("plain.onnx");
        run("export", mlp.toString(), "--out", plain.toString());
        got.add("export plain " + ModelHash.sha256(plain));

        Path five = dir.resolve("five.onnx");
        run("export", mlp.toString(), "--num-classes", "5", "--out", five.toString());
        got.add("export re-headed " + ModelHash.sha256(five));

        Path fromCheckpoint = dir.resolve("checkpoint.onnx");
        run(
                "export",
                mlp.toString(),
                "--checkpoint",
                dir.resolve("headed.onnx.ckpt").toString(),
                "--out",
                fromCheckpoint.toString());
        got.add("export checkpoint " + ModelHash.sha256(fromCheckpoint));

        assertEquals(
                List.of(
                        "train re-headed 71b2062527efafcf3a7b3448fda00c15129b14bb669959b13f30c088fe8a5b33",
                        "train fp16 3c23e8c12ed534ae291a615d837fd03b46924b5d4e9d0e1357527a2eeeb7ba00",
                        "train fp16 data e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                        "export plain 1e6e41fe9acd9d60e7b16dd92019ef0a2002910beebc7750f9e5901cdcaf303b",
                        "export re-headed 67b136757797222b203d1036513d918789d30fb78f906ff2e417e66a28b9b22d",
                        "export checkpoint a4001272c6a6f3455209eee01bef8a0bddeb8adddc5dfe1503a2c31772a7274a"),
                got);
    }

    private List<String> train(Path model, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--data",
                "csv:" + DATA,
                "--validation",
                "8",
                "--epochs",
                "1",
                "--batch-size",
                "8",
                "--lr",
                "0",
                "--seed",
                "3",
                "--device",
                "cpu",
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    private static void run(List<String> args) {
        run(args.toArray(String[]::new));
    }

    private static void run(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
    }

    /** 40 rows of 8 features and a label in 0..3, from a fixed seed. */
    private static void writeData() throws Exception {
        Random r = new Random(11);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            for (int f = 0; f < 8; f++) {
                s.append(String.format("%.3f,", r.nextFloat() * 2 - 1));
            }
            s.append(i % 4).append('\n');
        }
        Files.createDirectories(DATA.getParent());
        Files.writeString(DATA, s);
    }

    /** Gemm 8->6, ReLU, Gemm 6->3 (the head, "fc"), Softmax; input [batch, 8]. */
    static Path mlp(Path dir) throws Exception {
        Random r = new Random(5);
        GraphProto g = GraphProto.newBuilder()
                .setName("mlp")
                .addInput(ValueInfoProto.newBuilder()
                        .setName("x")
                        .setType(TypeProto.newBuilder()
                                .setTensorType(TypeProto.Tensor.newBuilder()
                                        .setElemType(TensorProto.DataType.FLOAT_VALUE)
                                        .setShape(TensorShapeProto.newBuilder()
                                                .addDim(TensorShapeProto.Dimension.newBuilder()
                                                        .setDimParam("batch"))
                                                .addDim(TensorShapeProto.Dimension.newBuilder()
                                                        .setDimValue(8))))))
                .addOutput(Models.value("prob", TensorProto.DataType.FLOAT_VALUE))
                .addInitializer(Models.floats("hidden.w", new long[] {6, 8}, random(r, 48)))
                .addInitializer(Models.floats("hidden.b", new long[] {6}, random(r, 6)))
                .addInitializer(Models.floats("fc.w", new long[] {3, 6}, random(r, 18)))
                .addInitializer(Models.floats("fc.b", new long[] {3}, random(r, 3)))
                .addNode(Models.node(
                                "Gemm",
                                new String[] {"x", "hidden.w", "hidden.b"},
                                new String[] {"h"},
                                Models.intAttr("transB", 1))
                        .toBuilder()
                        .setName("hidden")
                        .build())
                .addNode(Models.node("Relu", new String[] {"h"}, new String[] {"r"}))
                .addNode(Models.node(
                                "Gemm",
                                new String[] {"r", "fc.w", "fc.b"},
                                new String[] {"logits"},
                                Models.intAttr("transB", 1))
                        .toBuilder()
                        .setName("fc")
                        .build())
                .addNode(Models.node(
                        "Softmax", new String[] {"logits"}, new String[] {"prob"}, Models.intAttr("axis", 1)))
                .build();
        Path file = dir.resolve("mlp.onnx");
        Files.write(file, Models.model(g, 13).toByteArray());
        return file;
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() - 0.5f;
        }
        return v;
    }
}
