package dev.mergenet.transfer.selection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UniformIndicesTest {
    @Test
    void everyStepWhenTheTargetDividesTheSource() {
        assertArrayEquals(new int[] {0, 4, 8, 12}, UniformIndices.of(16, 4));
        assertArrayEquals(new int[] {0, 1, 2}, UniformIndices.of(3, 3));
        assertArrayEquals(new int[] {0}, UniformIndices.of(7, 1));
    }

    @Test
    void evenlySpacedFromFirstToLastOtherwise() {
        assertArrayEquals(new int[] {0, 3, 6, 9, 12, 15}, UniformIndices.of(16, 6));
        // i*9/3 for 10 -> 4: 0, 3, 6, 9; i*4/2 for 5 -> 3: 0, 2, 4; 7 -> 4: 0, 2 (2.0), 4 (4.0), 6
        assertArrayEquals(new int[] {0, 3, 6, 9}, UniformIndices.of(10, 4));
        assertArrayEquals(new int[] {0, 2, 4}, UniformIndices.of(5, 3));
        // 8 -> 3: 0, 3.5 -> 4 (half up), 7
        assertArrayEquals(new int[] {0, 4, 7}, UniformIndices.of(8, 3));
    }

    @Test
    void aLargerTargetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> UniformIndices.of(4, 5));
    }
}
