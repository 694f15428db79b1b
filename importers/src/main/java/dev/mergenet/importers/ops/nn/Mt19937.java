package dev.mergenet.importers.ops.nn;

/**
 * The Mersenne Twister MT19937 with NumPy's legacy integer seeding and its 53-bit uniform doubles, so a seeded
 * Dropout draws the same mask as the ONNX reference implementation (numpy.random.seed(seed); uniform(0, 1)).
 */
final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private final int[] state = new int[N];
    private int position;

    Mt19937(long seed) {
        long s = seed & 0xffffffffL;
        for (int i = 0; i < N; i++) {
            state[i] = (int) s;
            s = (1812433253L * (s ^ (s >>> 30)) + i + 1) & 0xffffffffL;
        }
        position = N;
    }

    /** The next 32 random bits. */
    int nextInt() {
        if (position >= N) {
            twist();
        }
        int y = state[position++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** A uniform double in [0, 1) from 53 random bits (NumPy's random_sample). */
    double nextDouble() {
        long a = (nextInt() & 0xffffffffL) >>> 5;
        long b = (nextInt() & 0xffffffffL) >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
            int next = state[(i + M) % N] ^ (y >>> 1);
            state[i] = (y & 1) != 0 ? next ^ 0x9908b0df : next;
        }
        position = 0;
    }
}
