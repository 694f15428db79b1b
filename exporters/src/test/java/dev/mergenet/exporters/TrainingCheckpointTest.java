package dev.mergenet.exporters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.exporters.deploy.InputPreprocessing;
import dev.mergenet.exporters.provenance.Lineage;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The one checkpoint file: header and sections round-trip; damaged, truncated, foreign and old files are refused. */
class TrainingCheckpointTest {
    @TempDir
    Path tmp;

    private static TrainingCheckpoint.Header header() {
        Lineage lineage =
                new Lineage("train", "a".repeat(64), null, Map.of("data", "csv:x.csv"), Map.of("val_accuracy", 0.75));
        JsonObject trainer = new JsonObject();
        trainer.addProperty("fingerprint", "lr=0.1");
        return TrainingCheckpoint.Header.of(
                        "a".repeat(64),
                        new TrainingCheckpoint.HeadEdit(4, 7L),
                        new InputPreprocessing(
                                new long[] {1, 28, 28}, new int[] {32, 32}, 3, new float[] {0.5f}, new float[] {
                                    0.25f, 0.5f, 1f
                                }),
                        List.of("a", "b", "c", "d"),
                        lineage)
                .withTrainer(trainer);
    }

    @Test
    void headerAndSectionsRoundTrip() {
        Path file = tmp.resolve("run.ckpt");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("model/conv.w", m.create(new float[] {1, -2, 3.5f, Float.MIN_VALUE}, new Shape(2, 2)));
            t.put("model/bn.mean", m.create(new float[] {0.25f}));
            t.put("opt.target/conv.w", m.create(new float[] {9, 9, 9, 9}, new Shape(2, 2)));
            t.put("steps", m.create(new long[] {3, 1L << 40}));
            TrainingCheckpoint.write(file, header(), t);

            TrainingCheckpoint.Contents c = TrainingCheckpoint.read(file, m);
            TrainingCheckpoint.Header h = c.header();
            assertEquals(TrainingCheckpoint.FORMAT_VERSION, h.formatVersion());
            assertEquals("a".repeat(64), h.modelSha256());
            assertEquals(new TrainingCheckpoint.HeadEdit(4, 7L), h.head());
            assertArrayEquals(new int[] {32, 32}, h.input().resize());
            assertArrayEquals(new long[] {3, 32, 32}, h.input().trainedShape());
            assertArrayEquals(new float[] {0.25f, 0.5f, 1f}, h.input().std());
            assertEquals(List.of("a", "b", "c", "d"), h.classNames());
            assertEquals(header().lineage(), h.lineage());
            assertEquals("lr=0.1", h.trainer().get("fingerprint").getAsString());
            assertEquals(List.of("conv.w", "bn.mean"), List.copyOf(c.model().keySet()), "only the model section");
            assertArrayEquals(
                    new float[] {1, -2, 3.5f, Float.MIN_VALUE},
                    c.model().get("conv.w").toFloatArray());
            assertEquals(new Shape(2, 2), c.model().get("conv.w").getShape());
            assertEquals(DataType.INT64, c.tensors().get("steps").getDataType());
            assertArrayEquals(new long[] {3, 1L << 40}, c.tensors().get("steps").toLongArray());
            assertEquals(h, TrainingCheckpoint.header(file), "header alone reads the same");
        }
    }

    @Test
    void damagedTruncatedForeignAndOldFilesGiveOneClearMessage() throws Exception {
        Path file = tmp.resolve("run.ckpt");
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TrainingCheckpoint.write(file, header(), Map.of("model/w", m.ones(new Shape(64, 64))));
            byte[] good = Files.readAllBytes(file);

            Path truncated = tmp.resolve("truncated.ckpt");
            Files.write(truncated, Arrays.copyOf(good, good.length - 100));
            assertMessage(() -> TrainingCheckpoint.read(truncated, m), "truncated.ckpt", "truncated");

            Path huge = tmp.resolve("huge.ckpt"); // a header length far beyond the file is refused before allocating
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(huge))) {
                out.writeUTF(TrainingCheckpoint.MAGIC);
                out.writeInt(Integer.MAX_VALUE - 8);
            }
            assertMessage(() -> TrainingCheckpoint.read(huge, m), "huge.ckpt", "claims", "remain");

            Path old = tmp.resolve("old.ckpt");
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(old))) {
                out.writeUTF("MERGENET-J-CHECKPOINT-1");
            }
            assertMessage(() -> TrainingCheckpoint.header(old), "old.ckpt", "format 1");

            Path foreign = tmp.resolve("model.onnx");
            Files.write(foreign, new byte[] {8, 7, 18, 3, 'a', 'b', 'c'});
            assertMessage(() -> TrainingCheckpoint.header(foreign), "model.onnx", "not a MergeNet-J checkpoint");

            Path folder = Files.createDirectory(tmp.resolve("ckpt"));
            assertMessage(() -> TrainingCheckpoint.header(folder), "is a folder");
            assertMessage(() -> TrainingCheckpoint.header(tmp.resolve("none.ckpt")), "does not exist");
        }
    }

    private static void assertMessage(Executable e, String... parts) {
        MergeNetException ex = assertThrows(MergeNetException.class, e);
        for (String p : parts) {
            assertTrue(ex.getMessage().contains(p), "'" + p + "' missing from: " + ex.getMessage());
        }
        assertTrue(!ex.getMessage().contains("\n"), ex.getMessage());
    }
}
