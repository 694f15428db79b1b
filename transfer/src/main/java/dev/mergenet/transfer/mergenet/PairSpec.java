package dev.mergenet.transfer.mergenet;

import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.transfer.model.TrainableModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A requested layer pair: target tensor name = source tensor name (ONNX names). */
public record PairSpec(String target, String source) {
    public static PairSpec parse(String text) {
        int eq = text.lastIndexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new MergeNetException("--pair " + text + ": expected TARGET_TENSOR=SOURCE_TENSOR");
        }
        return new PairSpec(text.substring(0, eq), text.substring(eq + 1));
    }

    /** Resolves the pairs against the two models: named pairs are checked, "auto" picks the first candidates. */
    public static List<PairSpec> resolve(
            List<String> requested, TrainableModel target, TrainableModel source, PrintStream log) {
        List<PairSpec> out = new ArrayList<>();
        if (requested.isEmpty() || (requested.size() == 1 && requested.get(0).equals("auto"))) {
            List<String> t = TransferCandidates.names(target, true);
            List<String> s = TransferCandidates.names(source, false);
            if (t.isEmpty() || s.isEmpty()) {
                throw new MergeNetException(
                        "--pairs auto: no matrix weight found in " + (t.isEmpty() ? target.origin() : source.origin()));
            }
            PairSpec p = new PairSpec(t.get(0), s.get(0));
            if (log != null) {
                int[] tm = MatrixView.matrixShape(target, p.target());
                int[] sm = MatrixView.matrixShape(source, p.source());
                log.println("pairs auto: target " + p.target() + " "
                        + target.weights().get(p.target()).getShape()
                        + " (matrix " + tm[0] + "x" + tm[1] + ") <- source " + p.source() + " "
                        + source.weights().get(p.source()).getShape() + " (matrix " + sm[0] + "x" + sm[1] + ")");
                log.println("pairs auto: why: target " + why(target, p.target(), true) + "; source "
                        + why(source, p.source(), false) + " (`mergenet pairs` lists every candidate)");
            }
            out.add(p);
            return out;
        }
        for (String r : requested) {
            PairSpec p = parse(r);
            check(p.target(), target, "target");
            check(p.source(), source, "source");
            MatrixView.matrixShape(target, p.target());
            MatrixView.matrixShape(source, p.source());
            if (out.stream().anyMatch(o -> o.target().equals(p.target()))) {
                throw new MergeNetException("--pair " + r + ": target tensor " + p.target() + " is paired twice");
            }
            out.add(p);
        }
        return out;
    }

    /** Where the picked weight is used and why `auto` ranks it first. */
    static String why(TrainableModel model, String tensor, boolean asTarget) {
        return TransferCandidates.of(model, asTarget).stream()
                .filter(c -> c.tensor().equals(tensor))
                .findFirst()
                .map(c -> c.where() + " is " + c.kind().reason())
                .orElse(tensor + " is the first matrix weight in the model's default order");
    }

    private static void check(String name, TrainableModel model, String role) {
        if (!model.weights().containsKey(name)) {
            throw new MergeNetException(model.origin() + ": no " + role + " weight named '" + name + "'; closest: "
                    + String.join(
                            ", ", NameSuggestions.closest(name, model.weights().keySet(), 5)));
        }
    }
}
