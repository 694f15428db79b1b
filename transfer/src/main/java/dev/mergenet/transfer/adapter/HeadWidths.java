package dev.mergenet.transfer.adapter;

/** The released code's per-head width: max((a+b) // 2, 128) // h, in integer arithmetic. */
public final class HeadWidths {
    /** Floor on the total attention width before it is split into heads. */
    public static final int MIN_TOTAL_WIDTH = 128;

    private HeadWidths() {}

    public static int perHead(int queryDim, int keyDim, int heads) {
        if (queryDim <= 0 || keyDim <= 0 || heads <= 0) {
            throw new IllegalArgumentException(
                    "head width needs positive sizes, got " + queryDim + ", " + keyDim + ", h=" + heads);
        }
        int width = Math.max((queryDim + keyDim) / 2, MIN_TOTAL_WIDTH) / heads;
        if (width == 0) {
            throw new IllegalArgumentException(heads + " heads leave no width for sizes " + queryDim + "+" + keyDim);
        }
        return width;
    }
}
