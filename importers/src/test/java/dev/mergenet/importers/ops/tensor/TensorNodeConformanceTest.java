package dev.mergenet.importers.ops.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.mergenet.importers.ops.OpRegistry;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.importers.verify.ConformanceRunner;
import dev.mergenet.onnx.Onnx.ModelProto;
import dev.mergenet.onnx.Onnx.NodeProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every ONNX backend node case whose graph uses only the tensor family's ops (plus Constant/Identity) must
 * pass against the suite's reference outputs.
 */
class TensorNodeConformanceTest {
    /** The cases of the installed suite that this family covers on its own (185 at the time of writing). */
    private static final int EXPECTED_AT_LEAST = 185;

    @TestFactory
    Stream<DynamicTest> nodeCasesPass() throws IOException {
        OpRegistry family = new OpRegistry();
        new TensorOps().register(family);
        Set<String> ours = family.supportTable().stream().map(OpRegistry.Support::opType).collect(Collectors.toSet());
        Set<String> allowed = new HashSet<>(ours);
        allowed.add("Constant");
        allowed.add("Identity");
        List<Path> cases = ConformanceRunner.findCases(TestData.require(TestData.ONNX_TESTDATA.resolve("node"))).stream()
                .filter(dir -> covered(dir, ours, allowed)).toList();
        assertTrue(cases.size() >= EXPECTED_AT_LEAST, "only " + cases.size() + " node cases use the tensor ops alone");
        ConformanceRunner runner = new ConformanceRunner(1e-5, 1e-3, Device.cpu());
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            ConformanceRunner.CaseResult r = runner.runCase(dir);
            assertEquals(ConformanceRunner.Status.PASSED, r.status(), r.name() + ": " + r.reason());
        }));
    }

    private static boolean covered(Path dir, Set<String> ours, Set<String> allowed) {
        try {
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
            Set<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet());
            return allowed.containsAll(ops) && ops.stream().anyMatch(ours::contains);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }
}
