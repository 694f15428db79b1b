package dev.mergenet.transfer.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

/** The static parameter count, computed from sizes alone, equals the count of an adapter actually built. */
class AdapterParameterCountTest {
    @Test
    void staticCountMatchesBuiltAdapters() {
        int[][] sizes = {
            {64, 32, 10, 128}, // the Fashion pair
            {6, 4, 9, 3},
            {4, 7, 2, 11},
            {300, 20, 16, 200}, // (a+b)/2 above the 128 floor for some attentions
            {1, 1, 1, 1},
        };
        AdapterConfig[] configs = {
            AdapterConfig.DEFAULT,
            new AdapterConfig(3, 1, 0f, 0f, 1e-5f),
            new AdapterConfig(16, 3, 0.1f, 0.2f, 1e-12f),
            AdapterConfig.DEFAULT.withMaxTotalWidth(24)
        };
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (int[] s : sizes) {
                for (AdapterConfig c : configs) {
                    try (NDManager scope = manager.newSubManager()) {
                        ParameterAdapter built =
                                new ParameterAdapter(scope, DataType.FLOAT32, s[0], s[1], s[2], s[3], c, 1);
                        assertEquals(
                                built.arrays().parameterCount(),
                                ParameterAdapter.parameterCount(s[0], s[1], s[2], s[3], c),
                                java.util.Arrays.toString(s) + " " + c);
                    }
                }
            }
        }
        assertEquals(252_352, ParameterAdapter.parameterCount(64, 32, 10, 128, AdapterConfig.DEFAULT));
    }
}
