package dev.mergenet.cli;

import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.app.demo.DatasetInstaller;
import dev.mergenet.transfer.app.demo.FashionDemo;
import dev.mergenet.transfer.config.Mode;
import dev.mergenet.transfer.config.RunConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `mergenet demo`: the recommended transfer against training alone on pair P2 in miniature (a frozen small ResNet
 * pretrained on 55k images into a small CNN trained on 5k), exported and checked in ONNX Runtime.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Short Fashion-MNIST run of the main use on a same-family pair: a ResNet a quarter as wide as a frozen"
                        + " small ResNet pretrained on the 55k split, trained on 5k images alone, with distillation"
                        + " (--mode) and with transfer's default recipe (weight selection + distillation); export;"
                        + " verify in ONNX Runtime.")
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            description = "Fashion-MNIST IDX folder (default ${DEFAULT-VALUE}; installed with apt when missing).")
    Path data = DatasetInstaller.DEFAULT_DIR;

    @Option(
            names = "--out",
            defaultValue = "demo-out",
            description = "Folder for models, reports and plots (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--epochs", defaultValue = "10", description = "Target epochs per run (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--source-epochs",
            defaultValue = "2",
            description =
                    "Epochs of the source's pretraining on 55k images, done once per --out folder (default ${DEFAULT-VALUE}).")
    int sourceEpochs;

    @Option(
            names = "--train-limit",
            defaultValue = "5000",
            description = "Target training samples (default ${DEFAULT-VALUE}).")
    int trainLimit;

    @Option(
            names = "--eval-limit",
            defaultValue = "0",
            description = "Validation/test samples used (0: all; default ${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(
            names = "--mode",
            defaultValue = TransferCommand.RECOMMENDED_MODE,
            description = "The transfer mode shown between alone and the default recipe (default ${DEFAULT-VALUE}).")
    String mode;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu[:N] or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        RunConfig cfg = adapterOptions.apply(
                RunConfig.builder(Mode.parse(mode))
                        .training(t -> t.epochs(epochs).seed(seed).lr(0.05))
                        .build(),
                AdapterConfig.DEFAULT,
                true);
        List<FashionDemo.Row> rows = FashionDemo.run(
                new FashionDemo.Settings(
                        data, out, epochs, trainLimit, evalLimit, sourceEpochs, cfg, seed, Devices.parse(device)),
                System.err);
        System.out.println();
        System.out.print(FashionDemo.table(rows));
        System.out.printf(
                "exported models verified in ONNX Runtime; reports and plots in %s; %.0f s in all%n",
                out, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
