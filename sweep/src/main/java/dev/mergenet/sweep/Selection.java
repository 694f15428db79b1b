package dev.mergenet.sweep;

import dev.mergenet.transfer.report.PairedStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per arm, the configuration (grid point) with the best mean validation accuracy over its seeds: selection
 * looks at validation only; test numbers are reported for the selected configuration.
 */
public final class Selection {
    /**
     * One arm's outcome.
     *
     * @param selected      the selected configuration's label (null when every trial of the arm failed)
     * @param configsTried  configurations with at least one record
     * @param runs          the selected configuration's finished trials
     * @param failed        every failed trial of the arm
     */
    public record ArmResult(
            String arm,
            String selected,
            int configsTried,
            List<TrialRow> runs,
            List<TrialRow> failed,
            Map<String, List<TrialRecord>> byConfig) {}

    private Selection() {}

    public static List<ArmResult> select(List<String> arms, List<TrialRecord> records) {
        List<ArmResult> out = new ArrayList<>();
        for (String arm : arms) {
            Map<String, List<TrialRecord>> byConfig = new LinkedHashMap<>();
            List<TrialRow> failed = new ArrayList<>();
            for (TrialRecord r : records) {
                if (r.row().arm().equals(arm)) {
                    byConfig.computeIfAbsent(r.row().config(), k -> new ArrayList<>())
                            .add(r);
                    if (r.row().failed()) {
                        failed.add(r.row());
                    }
                }
            }
            String best = null;
            double bestVal = Double.NEGATIVE_INFINITY;
            for (Map.Entry<String, List<TrialRecord>> e : byConfig.entrySet()) {
                double v = PairedStats.mean(e.getValue().stream()
                        .filter(r -> !r.row().failed())
                        .mapToDouble(r -> r.row().bestVal())
                        .filter(Double::isFinite)
                        .toArray());
                if (Double.isFinite(v) && v > bestVal) {
                    bestVal = v;
                    best = e.getKey();
                }
            }
            List<TrialRow> runs = best == null
                    ? List.of()
                    : byConfig.get(best).stream()
                            .map(TrialRecord::row)
                            .filter(r -> !r.failed())
                            .toList();
            out.add(new ArmResult(arm, best, byConfig.size(), runs, failed, byConfig));
        }
        return out;
    }
}
