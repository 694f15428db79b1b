package dev.mergenet.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package cycle inside the transfer module, and the step's layering: the training loop names no MergeNet or
 * job code (the job composes the participants), the model wrappers and configuration name no loop. Read from the
 * main sources' imports and fully qualified names.
 */
class PackageCyclesTest {
    private static final String ROOT = "dev.mergenet.transfer";
    private static final Pattern REFERENCE =
            Pattern.compile("\\bdev\\.mergenet\\.transfer\\.((?:[a-z]+\\.)*[a-z]+)\\.[A-Z*]");
    private static final Path SOURCES = Path.of("src/main/java/dev/mergenet/transfer");

    @Test
    void noCycleBetweenTransferPackages() {
        assertEquals(List.of(), cycles(dependencies()), "package cycles in the transfer module");
    }

    @Test
    void theLoopAndTheLayersBelowItNameNothingAboveThem() {
        Map<String, Set<String>> deps = dependencies();
        Map<String, Set<String>> forbidden = Map.of(
                "training", Set.of("mergenet", "app"),
                "model", Set.of("training", "mergenet", "config", "app"),
                "config", Set.of("training", "mergenet", "model", "app"),
                "adapter", Set.of("training", "mergenet", "model", "config", "app"));
        List<String> violations = new ArrayList<>();
        forbidden.forEach((pkg, above) -> deps.getOrDefault(pkg, Set.of()).stream()
                .filter(above::contains)
                .forEach(d -> violations.add(pkg + " -> " + d)));
        assertEquals(List.of(), violations);
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertEquals(List.of("[a, b, c]"), cycles(g));
        assertEquals(List.of(), cycles(Map.of("a", Set.of("b"), "b", Set.of())));
    }

    /** Package (below dev.mergenet.transfer) to the packages its main sources name. */
    private static Map<String, Set<String>> dependencies() {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.');
                Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        out.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (deps.size() < 5) {
            throw new AssertionError(
                    "read only " + deps.keySet() + " under " + SOURCES.toAbsolutePath() + " of " + ROOT);
        }
        return deps;
    }

    /** Strongly connected components of more than one package (Tarjan), each as its sorted package list. */
    static List<String> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<String> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, counter, out);
            }
        }
        return out;
    }

    private static void connect(
            String v,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            int[] counter,
            List<String> out) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, counter, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component.toString());
            }
        }
    }
}
