package dev.mergenet.cli;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ImportOptions;
import dev.mergenet.importers.inspect.ModelSummary;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.importers.split.InitializerSplit;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `mergenet inspect MODEL.onnx`. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Show a model's format facts, inputs/outputs, op histogram, parameters and unsupported ops.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL.onnx", description = "The model to inspect.")
    Path model;

    @Option(
            names = "--parameters",
            description = "Also list every parameter with its shape, role and the nodes" + " that read it.")
    boolean parameters;

    @Option(
            names = "--keep-tied",
            split = ",",
            paramLabel = "NAME",
            description = "Identity-aliased weights to keep sharing one tensor (true weight tying) instead of "
                    + "splitting them; any name of the shared tensor.")
    List<String> keepTied = List.of();

    @Override
    public Integer call() {
        OnnxModel read = OnnxModelReader.read(model);
        Set<String> unknown = InitializerSplit.unknownNames(read.proto().getGraph(), Set.copyOf(keepTied));
        if (!unknown.isEmpty()) {
            throw new MergeNetException(model + ": --keep-tied " + unknown + ": no float initializer or Identity "
                    + "alias of one has that name");
        }
        ModelSummary.print(read, System.out, parameters, new ImportOptions(Set.copyOf(keepTied)));
        return 0;
    }
}
