package dev.mergenet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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
 * No package cycle anywhere in the main code of any module: reads every module's src/main/java, takes each file's
 * package and every package it names (imports, static imports and inline qualified names, outside comments and
 * string literals), and fails on each strongly connected set of packages, listing the files behind its edges.
 */
class PackageCycleTest {
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    private static final Pattern PACKAGE = Pattern.compile("\\bpackage\\s+([\\w.]+)\\s*;");
    /** A qualified name of ours up to its first capitalised segment (the type): what is before it is the package. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b(dev\\.mergenet(?:\\.[a-z_][\\w]*)*)\\.(?:[A-Z]|\\*)");

    private final Path root =
            Path.of(System.getProperty("mergenet.root", "")).toAbsolutePath().normalize();

    @Test
    void noPackageCycleInTheMainCodeOfAnyModule() {
        Map<String, Map<String, Set<String>>> edges = new TreeMap<>(); // package -> package -> files
        List<String> modules = MODULE.matcher(read(root.resolve("pom.xml")))
                .results()
                .map(r -> r.group(1))
                .toList();
        assertTrue(modules.contains("transfer"), "the root pom lists the modules");
        for (String module : modules) {
            for (Path file : mainSources(module)) {
                String code = codeOnly(read(file));
                Matcher p = PACKAGE.matcher(code);
                assertTrue(p.find(), file + " has no package declaration");
                String from = p.group(1);
                Map<String, Set<String>> out = edges.computeIfAbsent(from, k -> new TreeMap<>());
                Matcher m = QUALIFIED.matcher(code);
                while (m.find()) {
                    if (!m.group(1).equals(from)) {
                        out.computeIfAbsent(m.group(1), k -> new TreeSet<>())
                                .add(root.relativize(file).toString());
                    }
                }
            }
        }
        List<Set<String>> cycles = cycles(graph(edges));
        List<String> problems = new ArrayList<>();
        for (Set<String> cycle : cycles) {
            problems.add(describe(cycle, edges));
        }
        assertEquals(List.of(), problems, "package cycles in the main code");
    }

    @Test
    void theDetectorFindsEveryCycleAndOnlyCycles() {
        Map<String, Set<String>> g = new HashMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a", "d"));
        g.put("d", Set.of("e"));
        g.put("e", Set.of("d"));
        g.put("f", Set.of("a"));
        List<Set<String>> found = cycles(g);
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.contains(Set.of("a", "b", "c")), found.toString());
        assertTrue(found.contains(Set.of("d", "e")), found.toString());
        assertEquals(List.of(), cycles(Map.of("a", Set.of("b"), "b", Set.of("c"))));
    }

    @Test
    void commentsAndStringsNameNoPackageButInlineQualifiedNamesDo() {
        String code = codeOnly("package dev.mergenet.a;\n"
                + "/** {@link dev.mergenet.b.B} */\n"
                + "// dev.mergenet.c.C\n"
                + "class A { String s = \"dev.mergenet.d.D // not a comment\"; char q = '\"';\n"
                + "  dev.mergenet.e.sub.E e = dev.mergenet.f.F.make(); }\n");
        Matcher m = QUALIFIED.matcher(code);
        List<String> named = new ArrayList<>();
        while (m.find()) {
            named.add(m.group(1));
        }
        assertEquals(List.of("dev.mergenet.e.sub", "dev.mergenet.f"), named);
    }

    private static Map<String, Set<String>> graph(Map<String, Map<String, Set<String>>> edges) {
        Map<String, Set<String>> g = new HashMap<>();
        edges.forEach((from, to) -> g.put(from, to.keySet()));
        return g;
    }

    /** A cycle and, for each edge inside it, the files that make it. */
    private static String describe(Set<String> cycle, Map<String, Map<String, Set<String>>> edges) {
        StringBuilder s = new StringBuilder("cycle " + new TreeSet<>(cycle) + ":");
        for (String from : new TreeSet<>(cycle)) {
            edges.getOrDefault(from, Map.of()).forEach((to, files) -> {
                if (cycle.contains(to)) {
                    s.append("\n  ")
                            .append(from)
                            .append(" -> ")
                            .append(to)
                            .append(" (")
                            .append(files)
                            .append(')');
                }
            });
        }
        return s.toString();
    }

    /** The strongly connected sets of more than one package (Tarjan's algorithm, iterative). */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> found = new ArrayList<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            if (index.containsKey(start)) {
                continue;
            }
            // each frame: a node and the successors still to visit
            Deque<Map.Entry<String, Iterator<String>>> frames = new ArrayDeque<>();
            visit(start, index, low, stack, onStack, frames, graph);
            while (!frames.isEmpty()) {
                Map.Entry<String, Iterator<String>> top = frames.peek();
                String v = top.getKey();
                if (top.getValue().hasNext()) {
                    String w = top.getValue().next();
                    if (!index.containsKey(w)) {
                        visit(w, index, low, stack, onStack, frames, graph);
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                frames.pop();
                if (!frames.isEmpty()) {
                    String parent = frames.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
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
                        found.add(component);
                    }
                }
            }
        }
        return found;
    }

    private static void visit(
            String v,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            Deque<Map.Entry<String, Iterator<String>>> frames,
            Map<String, Set<String>> graph) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        frames.push(Map.entry(v, new TreeSet<>(graph.getOrDefault(v, Set.of())).iterator()));
    }

    /** The source with comments, string, text-block and char literals blanked out. */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && src.charAt(i) != c) {
                    i += src.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Every .java file under the module's src/main/java; fails when there is none, so a moved tree is noticed. */
    private List<Path> mainSources(String module) {
        Path dir = root.resolve(module).resolve("src/main/java");
        assertTrue(Files.isDirectory(dir), dir + " not found (is -Dmergenet.root the repository root?)");
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> files =
                    s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            assertTrue(!files.isEmpty(), dir + " holds no Java source");
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
