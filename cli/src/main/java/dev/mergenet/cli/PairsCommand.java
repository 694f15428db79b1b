package dev.mergenet.cli;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.analysis.FoldedNormalization;
import dev.mergenet.importers.onnx.OnnxDataTypes;
import dev.mergenet.importers.onnx.OnnxModel;
import dev.mergenet.importers.onnx.OnnxModelReader;
import dev.mergenet.onnx.Onnx.NodeProto;
import dev.mergenet.onnx.Onnx.TensorProto;
import dev.mergenet.transfer.adapter.AdapterConfig;
import dev.mergenet.transfer.adapter.ParameterAdapter;
import dev.mergenet.transfer.mergenet.NameSuggestions;
import dev.mergenet.transfer.mergenet.PairSpec;
import dev.mergenet.transfer.mergenet.TransferCandidates;
import dev.mergenet.transfer.mergenet.TransferCandidates.Candidate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `mergenet pairs --source S.onnx --target T.onnx`: the weights a transfer can pair, and what `--pairs auto` takes. */
@Command(
        name = "pairs",
        mixinStandardHelpOptions = true,
        description = "List the candidate transfer pairs of two models in the order --pairs auto prefers them: tensor,"
                + " consuming node, op, layer path, matrix view, the adapter's parameter count, and why. Reads the"
                + " files only; nothing is imported or run.")
final class PairsCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, paramLabel = "S.onnx", description = "The model knowledge comes from.")
    Path source;

    @Option(names = "--target", required = true, paramLabel = "T.onnx", description = "The model being improved.")
    Path target;

    @Option(
            names = "--rank",
            defaultValue = "0",
            paramLabel = "R",
            description = "Source rank as in `transfer --rank` (0: full source matrix; default ${DEFAULT-VALUE}).")
    int rank;

    @Option(
            names = "--top",
            defaultValue = "10",
            paramLabel = "N",
            description = "Rows per model (0: all; default ${DEFAULT-VALUE}).")
    int top;

    @Option(
            names = "--pair",
            paramLabel = "TARGET=SOURCE",
            description = "Check one pair instead: its layers, matrix views and adapter size (a misspelt name lists"
                    + " the closest names).")
    String pair;

    @Override
    public Integer call() {
        if (rank < 0 || top < 0) {
            throw new IllegalArgumentException("--rank and --top must be >= 0");
        }
        OnnxModel t = OnnxModelReader.read(target);
        OnnxModel s = OnnxModelReader.read(source);
        FoldedNormalization.find(t).ifPresent(f -> System.out.println("warning: " + f.warning()));
        FoldedNormalization.find(s).ifPresent(f -> System.out.println("warning: " + f.warning()));
        List<Candidate> targets = TransferCandidates.of(t, true);
        List<Candidate> sources = TransferCandidates.of(s, false);
        if (targets.isEmpty() || sources.isEmpty()) {
            throw new IllegalArgumentException(
                    (targets.isEmpty() ? target : source) + ": no float matrix weight (rank >= 2) to transfer");
        }
        if (pair != null) {
            PairSpec p = PairSpec.parse(pair);
            Candidate tc = named(targets, p.target(), target, "target");
            Candidate sc = named(sources, p.source(), source, "source");
            System.out.printf(
                    "pair: target %s %s, matrix %dx%d <- source %s %s, matrix %dx%d: adapter %,d parameters%n",
                    tc.tensor(),
                    tc.where(),
                    tc.rows(),
                    tc.cols(),
                    sc.tensor(),
                    sc.where(),
                    rows(sc),
                    sc.cols(),
                    ParameterAdapter.parameterCount(tc.rows(), tc.cols(), rows(sc), sc.cols(), AdapterConfig.DEFAULT));
            return 0;
        }
        Candidate tBest = targets.get(0);
        Candidate sBest = sources.get(0);
        int sRows = rows(sBest);
        print(
                "target " + target + ": " + targets.size() + " candidate matrices, adapter size with source #1",
                targets,
                c -> ParameterAdapter.parameterCount(c.rows(), c.cols(), sRows, sBest.cols(), AdapterConfig.DEFAULT));
        System.out.println();
        print(
                "source " + source + ": " + sources.size() + " candidate matrices"
                        + (rank > 0 ? " (rank " + rank + ")" : "") + ", adapter size with target #1",
                sources,
                c -> ParameterAdapter.parameterCount(
                        tBest.rows(), tBest.cols(), rows(c), c.cols(), AdapterConfig.DEFAULT));
        long adapter =
                ParameterAdapter.parameterCount(tBest.rows(), tBest.cols(), sRows, sBest.cols(), AdapterConfig.DEFAULT);
        long targetParams = floatParameters(t);
        System.out.println();
        System.out.printf(
                "auto: --pair %s=%s, adapter %,d parameters (%.2fx the target's %,d)%n",
                tBest.tensor(),
                sBest.tensor(),
                adapter,
                targetParams == 0 ? 0.0 : (double) adapter / targetParams,
                targetParams);
        System.out.println(
                "why: target " + tBest.where() + " is " + tBest.kind().reason() + ";");
        System.out.println(
                "     source " + sBest.where() + " is " + sBest.kind().reason() + ".");
        return 0;
    }

    private static Candidate named(List<Candidate> candidates, String name, Path file, String role) {
        return candidates.stream()
                .filter(c -> c.tensor().equals(name))
                .findFirst()
                .orElseThrow(() ->
                        new MergeNetException(file + ": no " + role + " matrix weight named '" + name + "'; closest: "
                                + String.join(
                                        ", ",
                                        NameSuggestions.closest(
                                                name,
                                                candidates.stream()
                                                        .map(Candidate::tensor)
                                                        .toList(),
                                                5))));
    }

    private int rows(Candidate source) {
        return rank > 0 ? rank : source.rows();
    }

    private void print(String title, List<Candidate> candidates, ToLongFunction<Candidate> adapter) {
        System.out.println(title + ":");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "tensor", "node", "op", "layer", "stored", "matrix", "adapter", "rank reason"});
        int shown = top == 0 ? candidates.size() : Math.min(top, candidates.size());
        for (int i = 0; i < shown; i++) {
            Candidate c = candidates.get(i);
            rows.add(new String[] {
                Integer.toString(i + 1),
                c.tensor(),
                c.node(),
                c.opType(),
                c.layerPath(),
                Arrays.toString(c.stored().getShape()),
                c.rows() + "x" + c.cols(),
                String.format("%,d", adapter.applyAsLong(c)),
                c.label()
            });
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int k = 0; k < r.length; k++) {
                width[k] = Math.max(width[k], r[k].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(" ");
            for (int k = 0; k < r.length; k++) {
                line.append(' ').append(k == r.length - 1 ? r[k] : String.format("%-" + width[k] + "s", r[k]));
            }
            System.out.println(line.toString().stripTrailing());
        }
        if (shown < candidates.size()) {
            System.out.println("  ... and " + (candidates.size() - shown) + " more (--top 0 lists all)");
        }
    }

    /** Float weights of the target (initializers and Constant tensors), the size the adapter is weighed against. */
    private static long floatParameters(OnnxModel m) {
        long n = 0;
        for (TensorProto t : m.proto().getGraph().getInitializerList()) {
            n += OnnxDataTypes.isFloat(t.getDataType()) ? size(t) : 0;
        }
        for (NodeProto node : m.proto().getGraph().getNodeList()) {
            if (node.getOpType().equals("Constant")
                    && node.getAttributeCount() == 1
                    && node.getAttribute(0).hasT()
                    && OnnxDataTypes.isFloat(node.getAttribute(0).getT().getDataType())) {
                n += size(node.getAttribute(0).getT());
            }
        }
        return n;
    }

    private static long size(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }
}
