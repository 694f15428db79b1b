package dev.mergenet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the module order core &lt;- importers &lt;- exporters &lt;- transfer &lt;- cli/samples/benchmarks and the
 * engine seam, by reading every module's main sources: a library module may name only the modules above it,
 * and only the engine package ({@link #SEAM}: TorchEngine and the TorchScript kernels it loads) may name the
 * PyTorch engine or its classes.
 */
class DependencyDirectionTest {
    /** Library modules in dependency order, each with its root package; each may use only those before it. */
    private static final List<Map.Entry<String, String>> LIBRARIES = List.of(
            Map.entry("core", "dev.mergenet.core"),
            Map.entry("importers", "dev.mergenet.importers"),
            Map.entry("exporters", "dev.mergenet.exporters"),
            Map.entry("transfer", "dev.mergenet.transfer"));
    /** The edges: they may use every library, and no library may use them. */
    private static final Map<String, String> EDGES = Map.of(
            "cli",
            "dev.mergenet.cli",
            "samples",
            "dev.mergenet.samples",
            "benchmarks",
            "dev.mergenet.bench",
            "sweep",
            "dev.mergenet.sweep");

    private static final String SEAM = "core/src/main/java/dev/mergenet/core/engine/";
    private static final String SEAM_CLASS = SEAM + "TorchEngine.java";
    private static final Pattern ENGINE_SPECIFIC =
            Pattern.compile("\"PyTorch\"|\\bJniUtils\\b|\\bPtNDManager\\b|\\bPtNDArray\\b|\\bai\\.djl\\.pytorch\\b");

    private final Path root =
            Path.of(System.getProperty("mergenet.root", "")).toAbsolutePath().normalize();

    @Test
    void eachLibraryNamesOnlyTheModulesAboveIt() {
        List<String> violations = new ArrayList<>();
        for (int i = 0; i < LIBRARIES.size(); i++) {
            List<String> below = new ArrayList<>(EDGES.values());
            LIBRARIES.subList(i + 1, LIBRARIES.size()).forEach(e -> below.add(e.getValue()));
            Pattern forbidden = Pattern.compile("\\b(" + String.join("|", below).replace(".", "\\.") + ")\\b");
            for (Path file : mainSources(LIBRARIES.get(i).getKey())) {
                violations.addAll(matches(file, forbidden));
            }
        }
        assertEquals(List.of(), violations, "a module names a module below it");
    }

    @Test
    void onlyTheEngineSeamNamesPyTorch() {
        List<String> violations = new ArrayList<>();
        List<String> modules = new ArrayList<>(EDGES.keySet());
        LIBRARIES.forEach(e -> modules.add(e.getKey()));
        for (String module : modules) {
            for (Path file : mainSources(module)) {
                if (!root.relativize(file).toString().startsWith(SEAM)) {
                    violations.addAll(matches(file, ENGINE_SPECIFIC));
                }
            }
        }
        assertEquals(List.of(), violations, "engine-specific code outside " + SEAM);
        assertTrue(
                ENGINE_SPECIFIC.matcher(read(root.resolve(SEAM_CLASS))).find(),
                SEAM_CLASS + " no longer holds the engine name");
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

    private List<String> matches(Path file, Pattern pattern) {
        List<String> found = new ArrayList<>();
        String[] lines = read(file).split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            Matcher m = pattern.matcher(lines[n]);
            if (m.find()) {
                found.add(root.relativize(file) + ":" + (n + 1) + ": " + m.group());
            }
        }
        return found;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
