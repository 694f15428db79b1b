package dev.mergenet.transfer.app.demo;

import ai.djl.Device;
import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import dev.mergenet.transfer.config.Schedule;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The frozen source of pairs P2, P3 and P4: {@link FashionModels#sourceResNet} trained on the 55k split by the same
 * code as `mergenet train` (the best-validation epoch kept), once; a later call reuses the file.
 */
public final class PretrainedSource {
    private static final long SEED = 1000;

    private PretrainedSource() {}

    /** P2/P3's source: the ResNet of width 16. */
    public static Path ensure(Path file, String data, int epochs, Device device, PrintStream log) {
        return ensure(file, data, epochs, 16, device, log);
    }

    /** {@link FashionModels#sourceResNet} of width {@code width}, trained once on the 55k split and kept. */
    public static Path ensure(Path file, String data, int epochs, int width, Device device, PrintStream log) {
        if (Files.isRegularFile(file)) {
            if (log != null) {
                log.println("source: reusing " + file);
            }
            return file;
        }
        Path untrained = FashionModels.write(
                FashionModels.sourceResNet(width),
                "fashion_source_resnet",
                SEED,
                file.resolveSibling(file.getFileName() + ".init.onnx"),
                true);
        if (log != null) {
            log.printf(
                    "source: training a ResNet of width %d on the 55k split for %d epochs (mergenet train)%n",
                    width, epochs);
        }
        RunConfig cfg = RunConfig.builder(Mode.ALONE)
                .training(t -> t.epochs(epochs).seed(SEED).lr(0.05).schedule(Schedule.COSINE))
                .build();
        TransferJob.Request req = TransferJob.Request.builder(untrained, data, cfg)
                .outputs(file, file.resolveSibling(file.getFileName() + ".json"), null)
                .force(true)
                .commandLine("mergenet train --model " + untrained + " --data " + data + " --epochs " + epochs
                        + " --lr 0.05 --schedule cosine --seed " + SEED + " --out " + file)
                .build();
        TransferJob.Result r = TransferJob.run(req, device, log);
        if (log != null) {
            log.printf(
                    "source: val %.2f%%, test %.2f%% (epoch %d)%n",
                    100 * r.keptValAccuracy(), 100 * r.keptTestAccuracy(), r.keptEpoch());
        }
        return file;
    }
}
