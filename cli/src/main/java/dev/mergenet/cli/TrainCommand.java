package dev.mergenet.cli;

import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.config.Mode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `mergenet train`: fine-tune an imported ONNX classifier and write it back to ONNX. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train an imported ONNX classifier on a data set and export it with lineage.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The classifier to train.")
    Path model;

    @Mixin
    TrainingOptions opts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        opts.applyRecipe("finetune", spec.commandLine().getParseResult());
        TransferJob.Request req = opts.request(
                        model, opts.config(Mode.ALONE), spec.commandLine().getParseResult())
                .build();
        TransferJob.Result r = TransferJob.run(req, Devices.parse(opts.device), System.err);
        Summary.print(r);
        return 0;
    }
}
