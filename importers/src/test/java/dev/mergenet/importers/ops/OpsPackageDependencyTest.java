package dev.mergenet.importers.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: graph implements the converter SPI (ops.spi) and ops consumes it, so no source
 * file under ops names the graph package, and the SPI names nothing else of ops.
 */
class OpsPackageDependencyTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/mergenet/importers");
    private static final Pattern GRAPH = Pattern.compile("\\bdev\\.mergenet\\.importers\\.graph\\.");
    private static final Pattern OPS_REFERENCE = Pattern.compile("\\bdev\\.mergenet\\.importers\\.ops\\.([\\w.]+)");

    @Test
    void noOpsSourceReferencesTheGraphPackage() throws IOException {
        List<Path> files = javaFiles(SOURCES.resolve("ops"));
        assertTrue(
                files.size() > 100,
                "expected the ops sources under " + SOURCES.toAbsolutePath() + ", found " + files.size());
        List<String> offenders = new ArrayList<>();
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                if (GRAPH.matcher(lines.get(i)).find()) {
                    offenders.add(SOURCES.relativize(f) + ":" + (i + 1) + ": "
                            + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), offenders, "ops must reach the graph only through ops.spi");
    }

    @Test
    void theSpiNamesNoOtherPartOfOps() throws IOException {
        List<Path> files = javaFiles(SOURCES.resolve("ops/spi"));
        assertTrue(files.size() >= 6, "expected the SPI sources, found " + files);
        List<String> offenders = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f);
            if (GRAPH.matcher(text).find()) {
                offenders.add(SOURCES.relativize(f) + " names the graph package");
            }
            Matcher m = OPS_REFERENCE.matcher(text);
            while (m.find()) {
                if (!m.group(1).equals("spi") && !m.group(1).startsWith("spi.")) {
                    offenders.add(SOURCES.relativize(f) + " names ops." + m.group(1));
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    private static List<Path> javaFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
