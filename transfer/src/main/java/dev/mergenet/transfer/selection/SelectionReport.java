package dev.mergenet.transfer.selection;

import java.util.List;
import java.util.Map;

/**
 * What a selection did: each target layer with the source layer it came from, the index rule for every size pair
 * used, the source layers left out, the rules applied to messy exports, and every target tensor not mapped with why.
 */
public record SelectionReport(
        List<String> layerMap,
        List<String> indexRules,
        List<String> unusedSource,
        List<String> rulesApplied,
        Map<String, String> notMapped) {

    /** The report as `mergenet layers` prints it. */
    public String text() {
        StringBuilder s = new StringBuilder();
        s.append("Layer map (target <- source, by stage and graph order):\n");
        layerMap.forEach(l -> s.append("  ").append(l).append('\n'));
        s.append("Element selection (uniform, the same indices for every dimension of the same size pair):\n");
        indexRules.forEach(l -> s.append("  ").append(l).append('\n'));
        if (!unusedSource.isEmpty()) {
            s.append("Source layers not used (first-N rule):\n");
            unusedSource.forEach(l -> s.append("  ").append(l).append('\n'));
        }
        if (!rulesApplied.isEmpty()) {
            s.append("Rules applied:\n");
            rulesApplied.forEach(l -> s.append("  ").append(l).append('\n'));
        }
        s.append("Not mapped (the target keeps its own initialization):");
        if (notMapped.isEmpty()) {
            s.append(" none\n");
        } else {
            s.append('\n');
            notMapped.forEach(
                    (k, v) -> s.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        return s.toString();
    }
}
