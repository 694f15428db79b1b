package dev.mergenet.importers.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The converter index, the @OnnxOp declarations and the source tree agree: every converter class is indexed and
 * registered, every indexed class declares at least one op, and every declaration resolves to its class.
 */
class ConverterIndexTest {
    private static final Path OPS = Path.of("src/main/java/dev/mergenet/importers/ops");
    /** A concrete top-level class implementing OpConverter, directly or through OptimizerStep. */
    private static final Pattern CONVERTER = Pattern.compile(
            "^(?:public )?(?:final )?class (\\w+)[^{]*\\b(?:implements[^{]*\\bOpConverter\\b|extends OptimizerStep\\b)",
            Pattern.MULTILINE);

    private static final Pattern ANY_CLASS =
            Pattern.compile("^(public )?(final |abstract )?class (\\w+)", Pattern.MULTILINE);

    @Test
    void everyConverterClassInTheSourceTreeIsIndexedAndEveryIndexedClassDeclaresOps() throws IOException {
        Set<String> inSources = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(OPS)) {
            for (Path f :
                    walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(f);
                String pkg = "dev.mergenet.importers.ops."
                        + OPS.relativize(f.getParent()).toString().replace('/', '.');
                Matcher converter = CONVERTER.matcher(text);
                Matcher any = ANY_CLASS.matcher(text);
                if (converter.find()) {
                    inSources.add(pkg + "." + converter.group(1));
                } else if (text.contains("@OnnxOp(") && any.find()) {
                    problems.add(pkg + "." + any.group(3) + " declares @OnnxOp but is no concrete converter class");
                }
            }
        }
        assertTrue(inSources.size() > 100, "found only " + inSources.size() + " converter classes under " + OPS);
        Set<String> indexed = new TreeSet<>();
        for (Class<? extends OpConverter> type : OpRegistry.indexedConverters()) {
            assertTrue(indexed.add(type.getName()), type.getName() + " is listed twice in " + OpRegistry.INDEX);
            if (type.getAnnotationsByType(OnnxOp.class).length == 0) {
                problems.add(type.getName() + " is indexed but declares no @OnnxOp");
            }
        }
        for (String name : inSources) {
            if (!indexed.contains(name)) {
                problems.add(name + " is a converter missing from " + OpRegistry.INDEX);
            }
        }
        for (String name : indexed) {
            if (!inSources.contains(name)) {
                problems.add(name + " is indexed but is no converter class in " + OPS);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyDeclarationResolvesToItsClassAtEachOfItsVersions() {
        OpRegistry registry = OpRegistry.standard();
        int declarations = 0;
        for (Class<? extends OpConverter> type : OpRegistry.indexedConverters()) {
            for (OnnxOp op : type.getAnnotationsByType(OnnxOp.class)) {
                declarations++;
                String what = type.getSimpleName() + " " + op.type();
                assertTrue(op.since().length > 0, what + ": no since_version");
                assertTrue(increasing(op.since()) && increasing(op.unsupported()), what + ": versions not increasing");
                assertTrue(
                        Arrays.stream(op.unsupported())
                                .noneMatch(v -> Arrays.stream(op.since()).anyMatch(s -> s == v)),
                        what + ": a version is both implemented and unsupported");
                assertSame(type, OpRegistry.instantiate(type, op.type()).getClass(), what);
                for (int v : op.since()) {
                    OpRegistry.Resolution r = registry.resolve(op.domain(), op.type(), v);
                    assertEquals(v, r.sinceVersion(), what + " at opset " + v);
                    assertNotNull(r.converter(), what + " at opset " + v + ": " + r.problem());
                    assertSame(type, r.converter().getClass(), what + " at opset " + v);
                }
                for (int v : op.unsupported()) {
                    OpRegistry.Resolution r = registry.resolve(op.domain(), op.type(), v);
                    assertEquals(v, r.sinceVersion(), what + " at opset " + v);
                    assertEquals(null, r.converter(), what + " at opset " + v + " should be unsupported");
                }
            }
        }
        long ops = registry.supportTable().stream()
                .filter(s -> !s.supported().isEmpty())
                .count();
        assertEquals(declarations, ops, "one declaration per op");
    }

    private static boolean increasing(int[] versions) {
        for (int i = 1; i < versions.length; i++) {
            if (versions[i] <= versions[i - 1]) {
                return false;
            }
        }
        return true;
    }
}
