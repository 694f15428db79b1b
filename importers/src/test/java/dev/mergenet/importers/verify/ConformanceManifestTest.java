package dev.mergenet.importers.verify;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.mergenet.importers.testing.TestData;
import dev.mergenet.importers.verify.ConformanceRunner.CaseResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ONNX backend suites shipped by Debian's libonnx-testdata, at the default tolerances of
 * `mergenet conformance`, against a checked-in manifest of every case's expected status
 * (src/test/resources/conformance/SUITE.tsv). Exact: a regression, an unexpected pass, a new or a vanished case
 * each fail, naming the cases. After an intended change, regenerate with scripts/conformance-report.sh.
 */
class ConformanceManifestTest {
    private static final int SEED = 20261130;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"node", "pytorch-converted", "pytorch-operator", "simple"})
    void everyCaseHasItsExpectedStatus(String suite) throws IOException {
        Map<String, String> expected = manifest(suite);
        Engine.getInstance().setRandomSeed(SEED); // unseeded random ops (Bernoulli) then fail the same way every run
        ConformanceRunner runner = new ConformanceRunner(1e-5, 1e-3, Device.cpu());
        List<CaseResult> results =
                runner.runAll(List.of(TestData.require(TestData.ONNX_TESTDATA.resolve(suite))), null);
        List<String> problems = differences(expected, results);
        if (!problems.isEmpty()) {
            fail(suite + ": " + problems.size() + " case(s) differ from src/test/resources/conformance/" + suite
                    + ".tsv (" + ConformanceRunner.summary(results) + "); if intended, regenerate with"
                    + " scripts/conformance-report.sh:\n  " + String.join("\n  ", problems));
        }
    }

    /** One line per case whose status is not the manifest's, and per case only one side knows. */
    static List<String> differences(Map<String, String> expected, List<CaseResult> results) {
        List<String> problems = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (CaseResult r : results) {
            String status = r.status().name().toLowerCase();
            seen.put(r.name(), status);
            String want = expected.get(r.name());
            if (want == null) {
                problems.add(r.name() + ": new case, " + status + " (not in the manifest)");
            } else if (!want.equals(status)) {
                String kind =
                        want.equals("passed") ? "regression" : status.equals("passed") ? "unexpected pass" : "changed";
                problems.add(r.name() + ": " + kind + ", expected " + want + ", now " + status
                        + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")"));
            }
        }
        expected.keySet().stream()
                .filter(k -> !seen.containsKey(k))
                .forEach(k -> problems.add(k + ": in the manifest but not in the suite"));
        return problems;
    }

    static Map<String, String> manifest(String suite) throws IOException {
        InputStream in = ConformanceManifestTest.class.getResourceAsStream("/conformance/" + suite + ".tsv");
        assertNotNull(in, "no manifest for " + suite + "; generate it with scripts/conformance-report.sh");
        Map<String, String> expected = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\t");
                expected.put(parts[0], parts[1]);
            }
        }
        return expected;
    }
}
