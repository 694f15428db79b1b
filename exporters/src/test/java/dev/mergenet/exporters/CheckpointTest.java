package dev.mergenet.exporters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.OnnxGraphBlock;
import dev.mergenet.importers.OnnxImporter;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.testing.Models;
import dev.mergenet.onnx.Onnx.GraphProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints: save from an imported graph, load into a fresh import, and refuse what does not belong. */
class CheckpointTest {
    @TempDir
    Path tmp;

    private static ModelProto model() {
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(Models.value("x", TensorProto.DataType.FLOAT_VALUE, 2))
                .addOutput(Models.value("y", TensorProto.DataType.FLOAT_VALUE, 2))
                .addOutput(Models.value("z", TensorProto.DataType.FLOAT_VALUE, 2, 3))
                .addInitializer(Models.floats("W", new long[] {2, 3}, 1, 2, 3, 4, 5, 6))
                .addNode(Models.node("Identity", new String[] {"x"}, new String[] {"y"}))
                .addNode(Models.node("Identity", new String[] {"W"}, new String[] {"z"})).build();
        return Models.model(g, 13);
    }

    @Test
    void savedWeightsLoadIntoAFreshImport() throws Exception {
        Path file = tmp.resolve("m.onnx");
        Files.write(file, model().toByteArray());
        String sha = ModelHash.sha256(file);
        Path dir = tmp.resolve("ckpt");
        Lineage lineage = new Lineage("train", sha, null, Map.of("epochs", "2"), Map.of("loss", 0.5));
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            OnnxGraphBlock trained = OnnxImporter.load(file, m);
            trained.parameter("W").getArray().set(new float[] {9, 8, 7, 6, 5, 4});
            Checkpoint.save(trained, dir, sha, null, lineage);

            Checkpoint.Meta meta = Checkpoint.meta(dir);
            assertEquals(sha, meta.modelSha256());
            assertEquals("W", meta.parameters().get(0).name());
            assertArrayEquals(new long[] {2, 3}, meta.parameters().get(0).shape());
            assertEquals(lineage, meta.lineage());

            OnnxGraphBlock fresh = OnnxImporter.load(file, m);
            Checkpoint.load(fresh, dir);
            assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4}, fresh.parameter("W").getArray().toFloatArray());

            MergeNetException e = assertThrows(MergeNetException.class,
                    () -> Checkpoint.load(fresh, dir, "d".repeat(64), null));
            assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        }
    }

    @Test
    void damagedOrForeignCheckpointsAreRefused() throws Exception {
        OnnxModel model = OnnxModelReader.read(model().toByteArray());
        Path dir = tmp.resolve("ckpt");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Checkpoint.save(Map.of("W", m.ones(new Shape(3, 2))), dir, "e".repeat(64), null, null);
            MergeNetException e = assertThrows(MergeNetException.class,
                    () -> Checkpoint.checkMatches(Checkpoint.meta(dir), dir, model, "e".repeat(64), null));
            assertTrue(e.getMessage().contains("'W' has shape [3, 2]"), e.getMessage());

            byte[] data = Files.readAllBytes(dir.resolve(Checkpoint.DATA_FILE));
            data[data.length - 1] ^= 1;
            Files.write(dir.resolve(Checkpoint.DATA_FILE), data);
            e = assertThrows(MergeNetException.class, () -> Checkpoint.read(dir, m));
            assertTrue(e.getMessage().contains("damaged"), e.getMessage());

            e = assertThrows(MergeNetException.class, () -> Checkpoint.meta(tmp));
            assertTrue(e.getMessage().contains("not a checkpoint"), e.getMessage());
        }
    }
}
