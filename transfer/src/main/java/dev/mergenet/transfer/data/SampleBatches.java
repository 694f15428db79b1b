package dev.mergenet.transfer.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Up to {@code maxBatches} full training batches in the epoch-0 order of {@link BatchOrder}, built one at a time:
 * each batch's arrays are released when the next one is made (or when the iteration ends). For passes that only
 * read activations: normalization statistics (--restore-norm) and precise BN.
 */
public final class SampleBatches implements Iterable<NDList> {
    private final LabeledData data;
    private final int batchSize;
    private final int batches;
    private final long seed;
    private final NDManager manager;

    public SampleBatches(LabeledData data, int batchSize, int maxBatches, long seed, NDManager manager) {
        this.data = data;
        this.batchSize = Math.max(1, Math.min(batchSize, data.size()));
        this.batches = Math.max(1, Math.min(maxBatches, data.size() / this.batchSize));
        this.seed = seed;
        this.manager = manager;
    }

    /** How many batches an iteration gives, and how many samples. */
    public int batches() {
        return batches;
    }

    public int samples() {
        return batches * batchSize;
    }

    @Override
    public Iterator<NDList> iterator() {
        int[] order = BatchOrder.forEpoch(data.size(), seed, 0);
        return new Iterator<>() {
            int next;
            NDManager current;

            @Override
            public boolean hasNext() {
                if (next < batches) {
                    return true;
                }
                release();
                return false;
            }

            @Override
            public NDList next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                release();
                current = manager.newSubManager();
                int from = next * batchSize;
                next++;
                return new NDList(data.features(current, order, from, from + batchSize));
            }

            private void release() {
                if (current != null) {
                    current.close();
                    current = null;
                }
            }
        };
    }
}
