package dev.mergenet.exporters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's original, read once, exported without the file being read again or the head drawn again. */
class OriginalModelTest {
    @TempDir
    Path dir;

    private Path gemm() throws Exception {
        GraphProto g = GraphProto.newBuilder()
                .setName("rows")
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 5, 4))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE))
                .addInitializer(Models.floats("w", new long[] {3, 4}, 1, -2, 0.5f, 3, 0, 1, 1, -1, 2, 2, -0.5f, 0))
                .addNode(
                        Models.node("Gemm", new String[] {"x", "w"}, new String[] {"y"}, Models.intAttr("transB", 1))
                                .toBuilder()
                                .setName("fc")
                                .build())
                .build();
        Path file = dir.resolve("rows.onnx");
        Files.write(file, Models.model(g, 13).toByteArray());
        return file;
    }

    @Test
    void theHashOfTheOneReadIsTheFilesHash() throws Exception {
        Path file = gemm();
        OnnxModelReader.Hashed h = OnnxModelReader.readHashed(file);
        assertEquals(ModelHash.sha256(file), h.sha256());
        assertEquals(OnnxModelReader.read(file).proto(), h.model().proto());
    }

    @Test
    void anAlreadyReadOriginalIsExportedWithoutReadingTheFileAgain() throws Exception {
        Path file = gemm();
        TrainingCheckpoint.HeadEdit head = new TrainingCheckpoint.HeadEdit(7, 42);
        Path expected = Files.createDirectories(dir.resolve("expected")).resolve("out.onnx"); // the name is in the card
        ExportService.export(ExportService.builder(file, expected).head(head).build());

        OriginalModel original = OriginalModel.read(file, head);
        assertEquals(7, original.replaced().newClasses());
        assertEquals("fc", original.replaced().node());
        byte[] pristine = Files.readAllBytes(file);
        Files.write(file, new byte[] {1, 2, 3}); // a second read of the file would now fail to parse
        Path got = Files.createDirectories(dir.resolve("got")).resolve("out.onnx");
        ExportService.Result r = ExportService.export(
                ExportService.builder(file, got).original(original).build());
        assertArrayEquals(
                Files.readAllBytes(expected),
                Files.readAllBytes(got),
                "the same bytes as the export that read and re-headed the file itself");
        assertEquals(ModelHash.sha256(pristine), r.lineage().inputModelSha256());
        assertThrows(
                MergeNetException.class,
                () -> ExportService.export(
                        ExportService.builder(file, dir.resolve("reads.onnx")).build()),
                "without the original, the export reads the (now broken) file");
    }

    @Test
    void anOriginalMustBeTheInputWithTheSameHead() throws Exception {
        Path file = gemm();
        OriginalModel original = OriginalModel.read(file, new TrainingCheckpoint.HeadEdit(7, 42));
        IllegalArgumentException other = assertThrows(
                IllegalArgumentException.class,
                () -> ExportService.builder(dir.resolve("other.onnx"), dir.resolve("o.onnx"))
                        .original(original)
                        .build());
        assertTrue(other.getMessage().contains("other.onnx"), other.getMessage());
        IllegalArgumentException head = assertThrows(
                IllegalArgumentException.class,
                () -> ExportService.builder(file, dir.resolve("o.onnx"))
                        .original(original)
                        .head(new TrainingCheckpoint.HeadEdit(5, 42))
                        .build());
        assertTrue(head.getMessage().contains("numClasses=5"), head.getMessage());
    }
}
