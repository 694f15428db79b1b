package dev.mergenet.cli;

import dev.mergenet.exporters.io.OnnxFileWriter;
import dev.mergenet.exporters.io.WriteOptions;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.selection.WeightSelection;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `mergenet layers --source S.onnx --target T.onnx`: the layer map weight selection would use, and its rules. */
@Command(
        name = "layers",
        mixinStandardHelpOptions = true,
        description = "Show how weight selection initializes the target from the source: each target layer with its"
                + " source layer (by stage and graph order, from the graphs, not the names), the element-selection"
                + " rule per size, the source layers left out, the rules applied to folded BatchNorms or a 1-channel"
                + " input, and every target tensor not mapped and why. With --output, also writes the target with"
                + " its selected initial weights (train it with `mergenet train`).")
final class LayersCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, paramLabel = "S.onnx", description = "The larger, pretrained model.")
    Path source;

    @Option(
            names = "--target",
            required = true,
            paramLabel = "T.onnx",
            description = "The smaller model to initialize.")
    Path target;

    @Option(
            names = "--init",
            defaultValue = "selection",
            paramLabel = "KIND",
            description = "selection, selection-permuted (each selected tensor's elements permuted: same statistics,"
                    + " no learned structure) or selection-reinit (selected from the source re-initialized as"
                    + " PyTorch would); default ${DEFAULT-VALUE}.")
    String init;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the two controls (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", paramLabel = "OUT.onnx", description = "Write the initialized target here.")
    Path output;

    @Option(names = "--force", description = "Overwrite --output if it exists (never an input).")
    boolean force;

    @Override
    public Integer call() {
        WeightSelection.Variant variant = switch (init) {
            case "selection" -> WeightSelection.Variant.SELECTION;
            case "selection-permuted" -> WeightSelection.Variant.PERMUTED;
            case "selection-reinit" -> WeightSelection.Variant.REINITIALIZED;
            default ->
                throw new IllegalArgumentException(
                        "--init must be selection, selection-permuted or" + " selection-reinit (not '" + init + "')");
        };
        OnnxModel s = OnnxModelReader.read(source);
        OnnxModel t = OnnxModelReader.read(target);
        WeightSelection.Selection sel = WeightSelection.select(s, t, variant, seed);
        long values = sel.tensors().values().stream()
                .mapToLong(h -> h.values().length)
                .sum();
        System.out.printf(
                "Weight selection (%s) %s <- %s: %d tensors, %,d values selected%n",
                init, target, source, sel.tensors().size(), values);
        System.out.print(sel.report().text());
        if (output != null) {
            OnnxModel initialized = sel.initializedTarget();
            OnnxFileWriter.write(
                    initialized.proto(), output, t.baseDir(), new WriteOptions(force, false, List.of(source, target)));
            System.out.println("wrote " + output);
        }
        return 0;
    }
}
