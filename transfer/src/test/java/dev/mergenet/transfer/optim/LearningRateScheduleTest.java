package dev.mergenet.transfer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void warmupCosineRisesLinearlyThenFollowsTheCosineToZero() {
        LearningRateSchedule s = LearningRateSchedule.parse("warmup-cosine", 0.01);
        // 200 steps: 10 warm-up steps at 0.001, 0.002, ..., 0.01, then cos from 0.01 down to 0
        assertEquals(0.001, s.rate(0, 200), 1e-12);
        assertEquals(0.005, s.rate(4, 200), 1e-12);
        assertEquals(0.01, s.rate(9, 200), 1e-12);
        assertEquals(0.01, s.rate(10, 200), 1e-12);
        assertEquals(0.005, s.rate(10 + 95, 200), 1e-12);
        assertEquals(0.0, s.rate(200, 200), 1e-12);
        assertTrue(LearningRateSchedule.perStep("warmup-cosine"));
        assertFalse(LearningRateSchedule.perStep("step"));
    }
}
