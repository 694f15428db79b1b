package dev.mergenet.importers.ops.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Unique: the distinct elements (or slices along 'axis'), sorted (default) or in order of first occurrence,
 * with first-occurrence indices, inverse indices and counts. Equality is decided on the host; Y itself is a
 * gather of the input at the first occurrences, so it stays on the device and differentiable.
 */
@OnnxOp(type = "Unique", since = 11)
public final class Unique implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        boolean sorted = node.attrs().getInt("sorted", 1) != 0;
        Long axis = node.attrs().has("axis") ? node.attrs().getInt("axis", 0) : null;
        return (ctx, in) -> {
            NDArray x = in.get(0);
            NDArray source = axis == null ? x.reshape(-1) : x;
            int a = axis == null ? 0 : Axes.normalize(axis, x.getShape().dimension(), node, "axis");
            int count = (int) source.getShape().get(a);
            List<Key> keys = keys(source, a, count);
            Map<Key, Integer> firstSeen = new HashMap<>();
            List<Integer> firsts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (firstSeen.putIfAbsent(keys.get(i), i) == null) {
                    firsts.add(i);
                }
            }
            if (sorted) {
                firsts.sort(Comparator.comparing(keys::get));
            }
            long[] first = firsts.stream().mapToLong(Integer::longValue).toArray();
            Map<Key, Integer> position = new HashMap<>();
            for (int u = 0; u < first.length; u++) {
                position.put(keys.get((int) first[u]), u);
            }
            long[] inverse = new long[count];
            long[] counts = new long[first.length];
            for (int i = 0; i < count; i++) {
                int u = position.get(keys.get(i));
                inverse[i] = u;
                counts[u]++;
            }
            NDManager m = ctx.manager();
            return new NDList(
                    AlongAxis.take(source, first, a, m), m.create(first), m.create(inverse), m.create(counts));
        };
    }

    /** The values of each slice along the axis, read to the host for comparison. */
    private static List<Key> keys(NDArray source, int axis, int count) {
        long[] dims = source.getShape().getShape();
        int rank = dims.length;
        int[] perm = new int[rank];
        perm[0] = axis;
        for (int i = 0, k = 1; i < rank; i++) {
            if (i != axis) {
                perm[k++] = i;
            }
        }
        NDArray moved = rank > 1 ? source.transpose(perm) : source;
        int width = count == 0 ? 0 : (int) (source.getShape().size() / count);
        boolean floating = source.getDataType().isFloating();
        double[] f = floating ? moved.toType(DataType.FLOAT64, false).toDoubleArray() : null;
        long[] l = floating ? null : moved.toType(DataType.INT64, false).toLongArray();
        List<Key> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(
                    floating
                            ? new Key(Arrays.copyOfRange(f, i * width, (i + 1) * width), null)
                            : new Key(null, Arrays.copyOfRange(l, i * width, (i + 1) * width)));
        }
        return keys;
    }

    /** One slice's values, compared lexicographically. */
    private record Key(double[] f, long[] l) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return f != null ? Arrays.compare(f, o.f) : Arrays.compare(l, o.l);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && (f != null ? Arrays.equals(f, k.f) : Arrays.equals(l, k.l));
        }

        @Override
        public int hashCode() {
            return f != null ? Arrays.hashCode(f) : Arrays.hashCode(l);
        }
    }
}
