package dev.mergenet.importers.ops.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.importers.verify.ConformanceRunner;
import java.util.Arrays;
import java.util.stream.Stream;

/** Runs ONNX test-data case folders through the conformance runner and fails with the runner's reason. */
public final class ConformanceCases {
    private static final ConformanceRunner RUNNER = new ConformanceRunner(1e-5, 1e-3, Device.cpu());

    private ConformanceCases() {}

    /** Whitespace-separated case paths relative to the test data root ("node/test_abs"). */
    public static Stream<String> parse(String block) {
        return Arrays.stream(block.trim().split("\\s+"));
    }

    public static void assertPasses(String relativePath) {
        ConformanceRunner.CaseResult r = RUNNER.runCase(TestData.require(TestData.ONNX_TESTDATA.resolve(relativePath)));
        assertEquals(ConformanceRunner.Status.PASSED, r.status(), relativePath + ": " + r.reason());
    }
}
