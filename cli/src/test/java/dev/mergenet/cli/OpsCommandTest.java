package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `mergenet ops --markdown` names the class implementing each op, and docs/conformance.md embeds its output. */
class OpsCommandTest {
    private static final Path DOC = Path.of("../docs/conformance.md");

    @Test
    void eachRowNamesTheClassThatImplementsTheOp() {
        CliRun run = CliRun.of("ops", "--markdown");
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(
                "| op | domain | since_versions implemented | spec versions not implemented | implemented by |",
                lines.get(0));
        assertTrue(
                lines.contains("| Relu | ai.onnx | 1, 6, 13, 14 |  "
                        + "| `dev.mergenet.importers.ops.activation.Pointwise` |"),
                run.out());
        assertTrue(
                lines.contains("| DFT | ai.onnx | 17 | 20 " + "| `dev.mergenet.importers.ops.math.FourierTransform` |"),
                run.out());
        assertTrue(
                lines.contains("| Tile | ai.onnx | 6, 13 | 1 | `dev.mergenet.importers.ops.tensor.Tile` |"), run.out());
        assertTrue(
                lines.contains("| Gradient | ai.onnx.preview.training | 1 |  "
                        + "| `dev.mergenet.importers.ops.training.Gradient` |"),
                run.out());
        for (String row : lines.subList(2, lines.size() - 2)) {
            String type = row.substring(row.lastIndexOf("| `") + 3, row.lastIndexOf("` |"));
            Path source = Path.of("../importers/src/main/java", type.replace('.', '/') + ".java");
            assertTrue(Files.isRegularFile(source), row + ": no source file " + source);
        }
    }

    @Test
    void theTableInDocsMatchesTheCommandOutput() throws IOException {
        String doc = Files.readString(DOC);
        String out = CliRun.of("ops", "--markdown").out();
        int start = doc.indexOf("| op | domain |");
        assertTrue(start >= 0, DOC + " has no op table");
        String lastLine = out.lines().reduce((a, b) -> b).orElseThrow();
        int end = doc.indexOf(lastLine, start);
        assertTrue(
                end >= 0,
                DOC + " does not end its op table with '" + lastLine
                        + "': regenerate it with ./mergenet ops --markdown");
        assertEquals(
                out.strip(),
                doc.substring(start, end + lastLine.length()).strip(),
                DOC + " is stale: regenerate its op table with ./mergenet ops --markdown");
    }
}
