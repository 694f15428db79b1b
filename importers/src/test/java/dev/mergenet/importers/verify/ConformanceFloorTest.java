package dev.mergenet.importers.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.importers.verify.ConformanceRunner.CaseResult;
import dev.mergenet.importers.verify.ConformanceRunner.Status;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ONNX backend suites shipped by Debian's libonnx-testdata, at the default tolerances of
 * `mergenet conformance`: the pass counts must not fall below what docs/conformance.md reports.
 */
class ConformanceFloorTest {
    @ParameterizedTest(name = "{0}: at least {1} passed")
    @CsvSource({"node, 800", "pytorch-converted, 75", "pytorch-operator, 30", "simple, 16"})
    void suitePassesAtLeast(String suite, int floor) {
        ConformanceRunner runner = new ConformanceRunner(1e-5, 1e-3, Device.cpu());
        List<CaseResult> results = runner.runAll(List.of(TestData.require(TestData.ONNX_TESTDATA.resolve(suite))), null);
        long passed = results.stream().filter(r -> r.status() == Status.PASSED).count();
        String failures = results.stream().filter(r -> r.status() == Status.FAILED)
                .map(r -> r.name() + ": " + r.reason()).collect(Collectors.joining("\n"));
        assertTrue(passed >= floor, suite + ": " + ConformanceRunner.summary(results) + ", below the floor of "
                + floor + ". Failures:\n" + failures);
    }
}
