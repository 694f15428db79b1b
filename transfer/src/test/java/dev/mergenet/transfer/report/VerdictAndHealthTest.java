package dev.mergenet.transfer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mergenet.transfer.training.TrainingHealth;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verdict line and the after-epoch warnings, on the cases issue 18 reported. */
class VerdictAndHealthTest {
    @Test
    void verdicts() {
        assertEquals(
                "verdict: use kd: +2.35 pp test accuracy over alone (95% CI [+1.49, +3.21], 5 seeds)",
                Verdict.of(
                        "alone",
                        false,
                        List.of(
                                new Verdict.Arm("kd", 2.35, 0.86, false),
                                new Verdict.Arm("mergenet", 0.09, 0.24, false)),
                        5));
        assertEquals(
                "verdict: no difference detectable with 2 seeds; run more (--seeds)",
                Verdict.of("alone", false, List.of(new Verdict.Arm("kd", -5.35, 54.0, false)), 2));
        assertTrue(Verdict.of("alone", false, List.of(new Verdict.Arm("kd", 0.99, Double.NaN, false)), 1)
                .startsWith("verdict: no difference detectable with 1 seed; run more"));
        assertTrue(Verdict.of("alone", true, List.of(new Verdict.Arm("kd", 0.0, Double.NaN, true)), 1)
                .startsWith("verdict: every arm, alone included, is at chance"));
        assertTrue(Verdict.of("alone", false, List.of(new Verdict.Arm("mergenet", -20.0, 5.0, false)), 5)
                .startsWith("verdict: use alone: every other arm loses to it (mergenet -20.00 pp"));
    }

    @Test
    void chanceAndDivergenceWarnings() {
        // 10 classes, 1,000 validation samples: chance 10% +- 2.8 pp (3 sigma)
        assertTrue(TrainingHealth.atChance(0.10, 1000, 10));
        assertTrue(TrainingHealth.atChance(0.125, 1000, 10));
        assertFalse(TrainingHealth.atChance(0.135, 1000, 10));
        Optional<String> flat = TrainingHealth.afterEpoch(1, 0.10, 0.10, 1000, 10);
        assertTrue(
                flat.isPresent()
                        && flat.get().contains("within noise of chance")
                        && flat.get().contains("--restore-norm")
                        && flat.get().contains("--lr"),
                flat.toString());
        // the BatchNorm-kept export with momentum 0.01: 69.5% in training, chance in eval mode
        Optional<String> lag = TrainingHealth.afterEpoch(3, 0.695, 0.10, 500, 10);
        assertTrue(
                lag.isPresent()
                        && lag.get().contains("more apart than overfitting explains")
                        && lag.get().contains("running statistics"),
                lag.toString());
        // ordinary overfitting: 100% training, 65% validation
        assertFalse(TrainingHealth.afterEpoch(30, 1.0, 0.65, 500, 10).isPresent());
        assertFalse(TrainingHealth.afterEpoch(1, 0.80, 0.78, 500, 10).isPresent());
    }
}
