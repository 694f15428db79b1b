package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.exporters.deploy.Deployment;
import dev.mergenet.exporters.io.ModelHash;
import dev.mergenet.exporters.provenance.Lineage;
import dev.mergenet.exporters.provenance.Provenance;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.StringStringEntryProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model card of a train run records the data kind, the subset sizes used and a fingerprint of the samples,
 * and no path of the training machine; --resume extends a finished run without --force and refuses every other
 * changed setting, fewer epochs included, with one message.
 */
class TrainDataCardAndResumeTest {
    @TempDir
    Path dir;

    @Test
    void modelCardRecordsKindSizesAndFingerprintButNoLocalPath() throws Exception {
        Path mlp = ExportBytesTest.mlp(dir);
        Path data = writeData(dir.resolve("rows.csv"), 40, 11);
        Path a = dir.resolve("a.onnx");
        run(train(mlp, data, a, "--train-limit", "20", "--eval-limit", "4"));
        ModelProto m = OnnxModelReader.read(a).proto();
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            assertFalse(e.getValue().contains(dir.toString()), e.getKey() + " embeds the local path:\n" + e.getValue());
        }
        Lineage l = Provenance.lineage(m).orElseThrow();
        assertEquals("csv:rows.csv", l.settings().get("data"));
        assertEquals("csv", l.settings().get("data_kind"));
        // 40 rows less 8 for validation, limited to 20 train and 4 validation; csv has no test split
        assertEquals("train=20 validation=4 test=0", l.settings().get("data_sizes"));
        String sha = l.settings().get("data_sha256");
        assertTrue(sha.matches("[0-9a-f]{64}"), sha);
        String card = Provenance.metadata(m, Deployment.KEY_MODEL_CARD).orElseThrow();
        for (String part : List.of("Data: csv:rows.csv", "train=20 validation=4 test=0", sha, "raw float32")) {
            assertTrue(card.contains(part), "'" + part + "' missing from the model card:\n" + card);
        }

        Path b = dir.resolve("b.onnx");
        run(train(mlp, data, b, "--train-limit", "20", "--eval-limit", "4"));
        assertEquals(sha, fingerprint(b), "the same data gives the same fingerprint");

        // one value of one row changed (row 0 is among the samples used: the whole pool is seen with no limit)
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Path changed = Files.writeString(
                other.resolve("rows.csv"), Files.readString(data).replaceFirst("^-?[0-9.]+,", "0.123,"));
        Path c = dir.resolve("c.onnx");
        Path d = dir.resolve("d.onnx");
        run(train(mlp, data, c));
        run(train(mlp, changed, d));
        assertNotEquals(fingerprint(c), fingerprint(d), "a one-sample change gives another fingerprint");
    }

    @Test
    void finishedRunIsExtendedWithoutForceAndOtherSettingsAreRefusedWithOneMessage() throws Exception {
        Path mlp = ExportBytesTest.mlp(dir);
        Path data = writeData(dir.resolve("rows.csv"), 40, 11);
        Path out = dir.resolve("m.onnx");
        Path report = dir.resolve("report.json");
        run(train(mlp, data, out, "--epochs", "2"));
        String first = ModelHash.sha256(out);

        CliRun more = CliRun.of(train(mlp, data, out, "--epochs", "3", "--resume", "--report", report.toString())
                .toArray(String[]::new));
        assertEquals(0, more.code(), more.out() + more.err());
        assertTrue(more.err().contains("after epoch 2"), more.err());
        assertNotEquals(first, ModelHash.sha256(out), "the extended run replaced its own export");
        assertEquals(
                "3",
                Provenance.lineage(OnnxModelReader.read(out).proto())
                        .orElseThrow()
                        .settings()
                        .get("epochs"));
        List<String> epochs = more.err()
                .lines()
                .filter(s -> s.matches("^epoch \\d+: .*"))
                .map(s -> s.substring(0, s.indexOf(':')))
                .toList();
        assertEquals(List.of("epoch 3"), epochs, "only the new epoch is trained:\n" + more.err());

        String refusal = "(resume with the same settings; only --epochs may grow)";
        for (List<String> changed : List.of(List.of("--epochs", "2"), List.of("--epochs", "3", "--lr", "0.5"))) {
            List<String> args = train(mlp, data, out, changed.toArray(String[]::new));
            args.add("--resume");
            CliRun r = CliRun.of(args.toArray(String[]::new));
            String err = r.err().strip().lines().reduce((x, y) -> y).orElse("");
            assertEquals(1, r.code(), changed + ": " + r.out() + r.err());
            assertTrue(err.startsWith("error: ") && err.endsWith(refusal), changed + ": " + err);
        }

        Path foreign = dir.resolve("foreign.onnx");
        Files.writeString(foreign, "not this run's");
        CliRun r = CliRun.of(train(mlp, data, foreign, "--resume").toArray(String[]::new));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(
                r.err().contains("already exists; use --force"), "an output the run did not write still needs --force");
    }

    private static String fingerprint(Path model) throws Exception {
        return Provenance.lineage(OnnxModelReader.read(model).proto())
                .orElseThrow()
                .settings()
                .get("data_sha256");
    }

    private static List<String> train(Path model, Path data, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--data",
                "csv:" + data,
                "--num-classes",
                "4",
                "--validation",
                "8",
                "--batch-size",
                "8",
                "--seed",
                "3",
                "--device",
                "cpu",
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        if (!args.contains("--epochs")) {
            args.addAll(List.of("--epochs", "1"));
        }
        return args;
    }

    private static void run(List<String> args) {
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
    }

    /** n rows of 8 features and a label in 0..3, from a fixed seed. */
    private static Path writeData(Path file, int n, long seed) throws Exception {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < 8; f++) {
                s.append(String.format("%.3f,", r.nextFloat() * 2 - 1));
            }
            s.append(i % 4).append('\n');
        }
        return Files.writeString(file, s);
    }
}
