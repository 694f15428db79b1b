package dev.mergenet.importers.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes use-after-free of Java-owned tensor memory visible: runs the garbage collector (which frees the direct
 * buffers of closed DJL arrays) and then reallocates many small direct buffers filled with NaN, so a tensor still
 * pointing at freed memory reads NaN instead of its old values. Call it between a forward and its backward pass.
 */
public final class NativeMemoryChurn {
    private static final List<ByteBuffer> HELD = new ArrayList<>();

    private NativeMemoryChurn() {}

    public static void run() {
        System.gc();
        try {
            Thread.sleep(20); // the Cleaner thread frees the buffers after the collection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (HELD) {
            HELD.clear();
            for (int size = 4; size <= 256; size *= 2) {
                for (int i = 0; i < 512; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
                    for (int k = 0; k + 8 <= size; k += 8) {
                        b.putDouble(k, Double.NaN);
                    }
                    if (size == 4) {
                        b.putFloat(0, Float.NaN);
                    }
                    HELD.add(b);
                }
            }
        }
    }
}
