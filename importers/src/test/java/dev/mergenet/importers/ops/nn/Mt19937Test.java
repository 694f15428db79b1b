package dev.mergenet.importers.ops.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The seeded generator reproduces NumPy's legacy stream (numpy.random.seed(0); numpy.random.rand(3)). */
class Mt19937Test {
    @Test
    void matchesNumpySeedZero() {
        Mt19937 g = new Mt19937(0);
        assertEquals(0.5488135039273248, g.nextDouble(), 0);
        assertEquals(0.7151893663724195, g.nextDouble(), 0);
        assertEquals(0.6027633760716439, g.nextDouble(), 0);
    }
}
