package dev.mergenet.exporters.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.ExportService;
import dev.mergenet.exporters.precision.Precision;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.onnx.TensorData;
import dev.mergenet.importers.ort.OrtRunner;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deployment metadata on feature rows (CSV-like data): embedded (x - mean) / std, declared shape, metadata. */
class DeploymentTest {
    @TempDir
    Path dir;

    private Path gemm(int opset) throws Exception {
        GraphProto g = GraphProto.newBuilder()
                .setName("rows")
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 5, 4))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE))
                .addInitializer(Models.floats("w", new long[] {3, 4}, 1, -2, 0.5f, 3, 0, 1, 1, -1, 2, 2, -0.5f, 0))
                .addNode(Models.node("Gemm", new String[] {"x", "w"}, new String[] {"y"}, Models.intAttr("transB", 1)))
                .build();
        Path file = dir.resolve("rows" + opset + ".onnx");
        Files.write(file, Models.model(g, opset).toByteArray());
        return file;
    }

    @Test
    void embeddedNormalizationOnRawRowsEqualsThePlainModelOnNormalizedRows() throws Exception {
        Path model = gemm(13);
        InputPreprocessing p = new InputPreprocessing(new long[] {4}, null, 0, new float[] {0.5f}, new float[] {2f});
        Path embedded = dir.resolve("embedded.onnx");
        ExportService.export(ExportService.builder(model, embedded)
                .deployment(new Deployment(p, true, List.of("cat", "dog", "bird")))
                .build());
        Path plain = dir.resolve("plain.onnx");
        ExportService.export(ExportService.builder(model, plain)
                .deployment(new Deployment(p, false, List.of("cat", "dog", "bird")))
                .build());

        float[] raw = new float[5 * 4];
        float[] normalized = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (float) Math.sin(i * 1.7) * 3;
            normalized[i] = (raw[i] - 0.5f) / 2f;
        }
        assertArrayEquals(run(plain, normalized), run(embedded, raw), 1e-6f);
        Path half = dir.resolve("half.onnx");
        ExportService.export(ExportService.builder(model, half)
                .precision(Precision.FP16)
                .deployment(new Deployment(p, true, null))
                .build());
        assertArrayEquals(run(plain, normalized), run(half, raw), 2e-2f, "fp16 inside, preprocessing in front");
        assertTrue(
                OnnxModelReader.read(half)
                        .proto()
                        .getGraph()
                        .getNode(0)
                        .getOpType()
                        .equals("Sub"),
                "the preprocessing runs first, in float32, before the input Cast");

        ModelProto m = OnnxModelReader.read(plain).proto();
        assertEquals(
                5,
                m.getGraph()
                        .getInput(0)
                        .getType()
                        .getTensorType()
                        .getShape()
                        .getDim(0)
                        .getDimValue(),
                "the batch dim stays as it was");
        assertEquals(
                "[\"cat\",\"dog\",\"bird\"]",
                Provenance.metadata(m, Deployment.KEY_CLASS_NAMES).orElseThrow());
        String card = Provenance.metadata(m, Deployment.KEY_MODEL_CARD).orElseThrow();
        assertTrue(card.contains("Classes (3, output index order): cat, dog, bird"), card);
        assertTrue(card.contains("(the caller's job): (x - 0.5) / 2.0"), card);
    }

    @Test
    void resizeNeedsOpset11AndTheMessageSaysSo() throws Exception {
        Path model = gemm(9);
        InputPreprocessing p = new InputPreprocessing(new long[] {1, 28, 28}, new int[] {32, 32}, 0, null, null);
        MergeNetException e = assertThrows(
                MergeNetException.class,
                () -> ExportService.export(ExportService.builder(model, dir.resolve("out.onnx"))
                        .deployment(new Deployment(p, true, null))
                        .build()));
        assertTrue(e.getMessage().contains("rows9.onnx") && e.getMessage().contains("opset 9"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("out.onnx")));
    }

    private static float[] run(Path model, float[] x) {
        ByteBuffer b = ByteBuffer.allocateDirect(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        TensorData in = new TensorData("x", TensorProto.DataType.FLOAT_VALUE, DataType.FLOAT32, new Shape(5, 4), b);
        try (OrtRunner ort = new OrtRunner(model)) {
            TensorData y = ort.run(Map.of("x", in)).values().iterator().next();
            ByteBuffer o = y.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            o.rewind();
            float[] out = new float[(int) y.shape().size()];
            o.asFloatBuffer().get(out);
            return out;
        }
    }
}
