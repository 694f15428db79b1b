package dev.mergenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mergenet.onnx.Onnx.AttributeProto;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 19: the backend case test_averagepool_2d_same_upper with kernel_shape[0] = 2^20 hung the import and, under
 * an address-space limit, aborted the JVM (hs_err file, no `error:` line). Here the CLI runs it in a child JVM
 * under `ulimit -v`, as a user's shell would: it must end within seconds in exit 1 with the refusal, and leave no
 * hs_err file. The unmutated case passes under the same limit, so the limit is not what refuses the mutant.
 */
class HostileModelChildJvmTest {
    private static final Path NODE = Path.of("/usr/share/libonnx-testdata/data/node");
    /** Address space of the child, in KiB: room for the JVM (-Xmx1g), libtorch and ONNX Runtime, far below 25 GB. */
    private static final long ADDRESS_SPACE_KIB = 8L << 20;

    private static final long SECONDS = 120;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"test_averagepool_2d_same_upper", "test_averagepool_2d_same_lower"})
    void verifyOfTheMutantEndsInOneErrorLineWithoutAJvmAbort(String name) throws Exception {
        Path dir = mutantCase(name);
        Child c = run(
                "verify",
                dir.resolve("model.onnx").toString(),
                "--data",
                dir.resolve("test_data_set_0").toString());
        assertEquals(1, c.code(), c.output());
        List<String> errors =
                c.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), c.output());
        assertTrue(
                errors.get(0).contains("averagepool")
                        && errors.get(0).contains("kernel [1048576, 2]")
                        && errors.get(0).contains("budget"),
                errors.get(0));
        assertFalse(c.err().contains("\tat "), "a stack trace: " + c.err());
        assertNoCrashFile();
    }

    @ParameterizedTest
    @ValueSource(strings = {"test_averagepool_2d_same_upper", "test_averagepool_2d_same_lower"})
    void conformanceOfTheMutantFailsTheCaseWithoutAJvmAbort(String name) throws Exception {
        Path dir = mutantCase(name);
        Child c = run("conformance", dir.toString());
        assertEquals(1, c.code(), c.output());
        assertTrue(c.out().contains("kernel [1048576, 2]") && c.out().contains("budget"), c.output());
        assertFalse(c.output().contains("\tat "), "a stack trace: " + c.output());
        assertNoCrashFile();

        Child control = run("conformance", NODE.resolve(name).toString());
        assertEquals(0, control.code(), "the unmutated case under the same limit: " + control.output());
    }

    /** The backend case with kernel_shape[0] = 2^20 (its test data kept, so the runs read the case's own input). */
    private Path mutantCase(String name) throws IOException {
        Path original = NODE.resolve(name);
        assumeTrue(Files.isDirectory(original), "needs libonnx-testdata");
        Path dir = tmp.resolve(name + "_kernel_2_20");
        Files.createDirectories(dir.resolve("test_data_set_0"));
        try (Stream<Path> files = Files.list(original.resolve("test_data_set_0"))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve("test_data_set_0").resolve(f.getFileName()));
            }
        }
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(original.resolve("model.onnx")));
        NodeProto pool = m.getGraph().getNode(0);
        assertEquals("AveragePool", pool.getOpType());
        NodeProto.Builder mutant = pool.toBuilder().clearAttribute();
        for (AttributeProto a : pool.getAttributeList()) {
            mutant.addAttribute(
                    a.getName().equals("kernel_shape")
                            ? a.toBuilder().setInts(0, 1L << 20).build()
                            : a);
        }
        ModelProto out = m.toBuilder()
                .setGraph(m.getGraph().toBuilder().setNode(0, mutant))
                .build();
        Files.write(dir.resolve("model.onnx"), out.toByteArray());
        return dir;
    }

    private Child run(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx1g",
                "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"),
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                MergenetCli.class.getName()));
        cmd.addAll(List.of(args));
        StringBuilder line = new StringBuilder("ulimit -v " + ADDRESS_SPACE_KIB + " && exec");
        for (String a : cmd) {
            line.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line.toString())
                .directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().put("MALLOC_ARENA_MAX", "1"); // as ./mergenet: one malloc arena, not 64 MiB per thread
        Process p = pb.start();
        long started = System.nanoTime();
        boolean ended = p.waitFor(SECONDS, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8);
        String err = Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8);
        assertTrue(ended, String.join(" ", args) + " did not end in " + SECONDS + " s:\n" + out + err);
        Child c = new Child(p.exitValue(), out, err, (System.nanoTime() - started) / 1e9);
        // JVM start and engine load included: the refusal itself comes before any window is pooled
        assertTrue(c.seconds() < 60, "not refused fast: " + c.output());
        return c;
    }

    private void assertNoCrashFile() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            List<Path> crashes = files.filter(f -> f.getFileName().toString().startsWith("hs_err"))
                    .toList();
            assertTrue(crashes.isEmpty(), "the JVM aborted: " + crashes);
        }
    }

    private record Child(int code, String out, String err, double seconds) {
        String output() {
            return "exit " + code + " after " + String.format("%.1f", seconds) + " s\nstdout:\n" + out + "\nstderr:\n"
                    + err;
        }
    }
}
