package dev.mergenet.transfer.selection;

import dev.mergenet.core.errors.MergeNetException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which source layer initializes each target layer: stage by stage (the same number of down-samplings), the
 * target's layers in graph order take the source's first layers of the same stage (the paper's first-N rule for a
 * shallower model), and each pair must agree in kind, kernel, stride and group structure.
 */
public record LayerCorrespondence(List<Match> matches, List<String> unusedSource) {

    /** A target layer and the source layer it takes its weights from. */
    public record Match(WeightLayer target, WeightLayer source) {}

    /** The correspondence, or a MergeNetException naming the first layers that do not match. */
    public static LayerCorrespondence of(LayerGraph target, LayerGraph source) {
        String where = "no layer correspondence between target "
                + target.model().origin() + " and source " + source.model().origin() + ": ";
        List<Integer> ts = target.stages();
        List<Integer> ss = source.stages();
        List<Match> matches = new ArrayList<>();
        List<String> unused = new ArrayList<>();
        for (int k = 0; k < Math.max(ts.size(), ss.size()); k++) {
            if (k >= ts.size() || k >= ss.size() || !ts.get(k).equals(ss.get(k))) {
                throw new MergeNetException(where + "the target's weight layers fall in stages " + ts + " (counted by"
                        + " down-samplings), the source's in " + ss + "; first differing stage: target "
                        + first(target, ts, k) + ", source " + first(source, ss, k));
            }
            int stage = ts.get(k);
            List<WeightLayer> tl = target.stage(stage);
            List<WeightLayer> sl = source.stage(stage);
            for (int i = 0; i < tl.size(); i++) {
                if (i >= sl.size()) {
                    throw new MergeNetException(where + "stage " + stage + " has " + tl.size() + " weight layers in"
                            + " the target and " + sl.size() + " in the source; the first without a partner: target "
                            + tl.get(i));
                }
                String why = tl.get(i).mismatch(sl.get(i));
                if (why != null) {
                    throw new MergeNetException(where + "stage " + stage + ", layer " + (i + 1) + ": target "
                            + tl.get(i) + " against source " + sl.get(i) + " (" + why + ")");
                }
                matches.add(new Match(tl.get(i), sl.get(i)));
            }
            if (sl.size() > tl.size()) {
                unused.add("stage " + stage + ": source layers " + (tl.size() + 1) + ".." + sl.size() + " (from "
                        + sl.get(tl.size()) + ") unused: the target's stage is shallower, it takes the first "
                        + tl.size());
            }
        }
        return new LayerCorrespondence(List.copyOf(matches), List.copyOf(unused));
    }

    private static String first(LayerGraph g, List<Integer> stages, int k) {
        return k < stages.size() ? g.stage(stages.get(k)).get(0).toString() + " in stage " + stages.get(k) : "none";
    }
}
