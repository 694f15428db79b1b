package dev.mergenet.importers.graph;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Forward time per op type, when the system property mergenet.profile=true: printed to stderr at exit. For
 * finding which converter dominates a model's step (times are host-side, so asynchronous GPU work is not seen).
 */
final class OpProfile {
    static final boolean ENABLED = Boolean.getBoolean("mergenet.profile");
    private static final Map<String, LongAdder[]> TIMES = new ConcurrentHashMap<>();

    static {
        if (ENABLED) {
            Runtime.getRuntime().addShutdownHook(new Thread(OpProfile::print));
        }
    }

    private OpProfile() {}

    static void record(String op, long nanos) {
        LongAdder[] t = TIMES.computeIfAbsent(op, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        t[0].add(nanos);
        t[1].increment();
    }

    private static void print() {
        System.err.println("forward time by op (mergenet.profile):");
        TIMES.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0].sum(), a.getValue()[0].sum()))
                .forEach(e -> System.err.printf(
                        "  %-24s %10.1f ms  %8d calls%n",
                        e.getKey(), e.getValue()[0].sum() / 1e6, e.getValue()[1].sum()));
    }
}
