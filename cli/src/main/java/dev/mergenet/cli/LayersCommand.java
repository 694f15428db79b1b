package dev.mergenet.cli;

import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.transfer.selection.WeightSelection;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `mergenet layers --source S.onnx --target T.onnx`: the layer map weight selection would use, and its rules. */
@Command(name = "layers", mixinStandardHelpOptions = true,
        description = "Show how weight selection (--init selection) would initialize the target from the source: each"
                + " target layer with its source layer (by stage and graph order, from the graphs, not the names), the"
                + " element-selection rule per size, the source layers left out, the rules applied to folded"
                + " BatchNorms or a 1-channel input, and every target tensor not mapped and why. Reads the files only.")
final class LayersCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, paramLabel = "S.onnx", description = "The larger, pretrained model.")
    Path source;

    @Option(names = "--target", required = true, paramLabel = "T.onnx", description = "The smaller model to initialize.")
    Path target;

    @Override
    public Integer call() {
        OnnxModel s = OnnxModelReader.read(source);
        OnnxModel t = OnnxModelReader.read(target);
        WeightSelection.Selection sel = WeightSelection.select(s, t);
        long values = sel.tensors().values().stream().mapToLong(h -> h.values().length).sum();
        System.out.printf("Weight selection %s <- %s: %d tensors, %,d values selected%n", target, source,
                sel.tensors().size(), values);
        System.out.print(sel.report().text());
        return 0;
    }
}
