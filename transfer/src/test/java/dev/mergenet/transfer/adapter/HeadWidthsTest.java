package dev.mergenet.transfer.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class HeadWidthsTest {
    @Test
    void paperPairGivesTheReleasedWidths() {
        // m=160, n=960 (MobileNetV2 1x1 conv), p=100, q=2048 (ResNet50 fc), h=8.
        assertEquals(188, HeadWidths.perHead(960, 2048, 8));
        assertEquals(66, HeadWidths.perHead(960, 100, 8));
        assertEquals(138, HeadWidths.perHead(160, 2048, 8));
        assertEquals(16, HeadWidths.perHead(160, 100, 8));
    }

    @Test
    void floorOf128AppliesBeforeTheHeadSplit() {
        assertEquals(16, HeadWidths.perHead(32, 128, 8)); // (32+128)//2 = 80 -> 128 // 8
        assertEquals(42, HeadWidths.perHead(10, 20, 3)); // 128 // 3 with integer division
        assertEquals(16, HeadWidths.perHead(129, 128, 8)); // 257 // 2 = 128 exactly
        assertEquals(16, HeadWidths.perHead(130, 129, 8)); // 259 // 2 = 129 -> 129 // 8 = 16
        assertEquals(64, HeadWidths.perHead(257, 257, 4)); // 257 // 4 with integer division
    }

    @Test
    void tooManyHeadsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> HeadWidths.perHead(4, 4, 200));
    }

    @Test
    void adapterUsesTheFormulaForEachOfItsFourAttentions() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ParameterAdapter a =
                    new ParameterAdapter(manager, DataType.FLOAT32, 64, 32, 10, 128, AdapterConfig.DEFAULT, 1);
            assertArrayEquals(new int[] {16, 16, 16, 16}, a.headWidths());
            ParameterAdapter b = new ParameterAdapter(
                    manager, DataType.FLOAT32, 300, 260, 2, 400, new AdapterConfig(4, 1, 0.1f, 0.2f, 1e-12f), 1);
            // xx: (260+400)//2=330//4=82; xy: (260+2)//2=131//4=32; yx: (300+400)//2=350//4=87; yy: 151->151//4=37
            assertArrayEquals(new int[] {82, 32, 87, 37}, b.headWidths());
        }
    }

    @Test
    void theWidthCapNarrowsEveryAttention() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ParameterAdapter capped = new ParameterAdapter(
                    manager, DataType.FLOAT32, 300, 260, 2, 400, new AdapterConfig(4, 1, 0.1f, 0.2f, 1e-12f, 40), 1);
            assertArrayEquals(new int[] {10, 10, 10, 10}, capped.headWidths());
        }
    }
}
