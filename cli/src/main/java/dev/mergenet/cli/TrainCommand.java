package dev.mergenet.cli;

import dev.mergenet.transfer.app.TransferJob;
import dev.mergenet.transfer.train.Mode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** `mergenet train`: fine-tune an imported ONNX classifier and write it back to ONNX. */
@Command(name = "train", mixinStandardHelpOptions = true,
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
        TransferJob.Request req = new TransferJob.Request(model, null, List.of(), opts.data, null, opts.adaptation(),
                null, opts.validation, opts.trainLimit, opts.evalLimit, opts.config(Mode.ALONE), opts.numClasses, opts.out,
                opts.report, opts.plot, opts.force, "mergenet " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                opts.exportSettings(), false, opts.keepTied, opts.normalization());
        TransferJob.Result r = TransferJob.run(req, Devices.parse(opts.device), System.err);
        Summary.print(r);
        return 0;
    }
}
