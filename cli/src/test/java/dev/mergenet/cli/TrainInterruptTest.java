package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.testing.TestData;
import dev.mergenet.transfer.app.demo.FashionModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM during `train` (a child JVM, as a user's Ctrl-C or a scheduler would stop it) prints what was saved and
 * the command that resumes; that command with more epochs extends the run.
 */
class TrainInterruptTest {
    @TempDir
    Path dir;

    @Test
    void terminatedTrainingSaysWhatWasSavedAndHowToResume() throws Exception {
        Path model = FashionModels.write(FashionModels.targetCnn(4), "t", 3, dir.resolve("t.onnx"), false);
        Path out = dir.resolve("trained.onnx");
        Path ckpt = dir.resolve("trained.onnx.ckpt");
        List<String> args = List.of(
                "train",
                "--model",
                model.toString(),
                "--data",
                "fashion-mnist:" + TestData.require(TestData.FASHION_MNIST),
                "--train-limit",
                "512",
                "--eval-limit",
                "64",
                "--batch-size",
                "64",
                "--epochs",
                "500",
                "--device",
                "cpu",
                "--out",
                out.toString());
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dai.djl.offline=true",
                MergenetCli.class.getName()));
        cmd.addAll(args);
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd)
                .redirectError(err.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(ckpt) && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(ckpt), "a checkpoint after the first epoch: " + Files.readString(err));
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = Files.readString(err, StandardCharsets.UTF_8);
        assertTrue(text.contains("interrupted during epoch"), text);
        assertTrue(text.contains("the checkpoint after epoch") && text.contains(ckpt.toString()), text);
        assertTrue(text.contains("resume with: mergenet train --model " + model) && text.contains("--resume"), text);
        assertTrue(!Files.exists(out), "no model is exported from an interrupted run");

        // the resume command, with the epoch count it had reached plus one, extends the run and exports
        String done =
                text.substring(text.indexOf("the checkpoint after epoch ") + 27).split(" ")[0];
        int epochs = Integer.parseInt(done) + 1;
        List<String> resume = new ArrayList<>(args);
        resume.set(resume.indexOf("500"), Integer.toString(epochs));
        resume.add("--resume");
        CliRun r = CliRun.of(resume.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resumed from " + ckpt + " after epoch " + done), r.err());
        assertTrue(Files.exists(out));
    }
}
