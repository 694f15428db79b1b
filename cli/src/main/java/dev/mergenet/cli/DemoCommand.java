package dev.mergenet.cli;

import dev.mergenet.samples.DatasetInstaller;
import dev.mergenet.samples.FashionDemo;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `mergenet demo`: a short Fashion-MNIST run of alone vs MergeNet, exported and checked in ONNX Runtime. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Short Fashion-MNIST experiment: CNN target alone vs MergeNet from an MLP source; export; verify.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Fashion-MNIST IDX folder (default ${DEFAULT-VALUE}; installed with apt when missing).")
    Path data = DatasetInstaller.DEFAULT_DIR;

    @Option(names = "--out", defaultValue = "demo-out", description = "Folder for models, reports and plots (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--epochs", defaultValue = "2", description = "Epochs per run (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--train-limit", defaultValue = "5000", description = "Training samples used (default ${DEFAULT-VALUE}).")
    int trainLimit;

    @Option(names = "--eval-limit", defaultValue = "2000", description = "Validation/test samples used (default ${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(names = "--cycle", defaultValue = "2", description = "Transfer every F steps (default ${DEFAULT-VALUE}).")
    int cycle;

    @Option(names = "--adapter-lr", defaultValue = "1e-3", description = "Adapter learning rate (default ${DEFAULT-VALUE}).")
    double adapterLr;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu[:N] or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        List<FashionDemo.Row> rows = FashionDemo.run(new FashionDemo.Settings(data, out, epochs, trainLimit,
                evalLimit, cycle, adapterLr, seed, Devices.parse(device)), System.err);
        System.out.println();
        System.out.print(FashionDemo.table(rows));
        System.out.printf("exported models verified in ONNX Runtime; reports and plots in %s; %.0f s in all%n", out,
                (System.nanoTime() - start) / 1e9);
        System.out.println("(a short run on a training subset: see docs/results.md for the multi-seed experiment)");
        return 0;
    }
}
