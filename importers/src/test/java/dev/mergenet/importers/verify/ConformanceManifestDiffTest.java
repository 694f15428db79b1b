package dev.mergenet.importers.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mergenet.importers.verify.ConformanceRunner.CaseResult;
import dev.mergenet.importers.verify.ConformanceRunner.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest comparison itself: each kind of difference is reported, with the case's name. */
class ConformanceManifestDiffTest {
    @Test
    void regressionsUnexpectedPassesAndUnknownCasesAreAllReported() {
        Map<String, String> expected =
                Map.of("a", "passed", "b", "failed", "c", "skipped", "gone", "passed", "same", "passed");
        List<CaseResult> results = List.of(
                new CaseResult("a", null, Status.FAILED, "max abs diff 1"),
                new CaseResult("b", null, Status.PASSED, ""),
                new CaseResult("c", null, Status.FAILED, "boom"),
                new CaseResult("new", null, Status.PASSED, ""),
                new CaseResult("same", null, Status.PASSED, ""));
        List<String> d = ConformanceManifestTest.differences(expected, results);
        assertEquals(
                List.of(
                        "a: regression, expected passed, now failed (max abs diff 1)",
                        "b: unexpected pass, expected failed, now passed",
                        "c: changed, expected skipped, now failed (boom)",
                        "new: new case, passed (not in the manifest)",
                        "gone: in the manifest but not in the suite"),
                d);
    }

    @Test
    void identicalStatusesGiveNoDifferences() {
        assertEquals(
                List.of(),
                ConformanceManifestTest.differences(
                        Map.of("a", "passed"), List.of(new CaseResult("a", null, Status.PASSED, ""))));
    }
}
