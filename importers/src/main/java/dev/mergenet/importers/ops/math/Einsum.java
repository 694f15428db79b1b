package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Einsum from differentiable primitives: repeated labels inside one operand become diagonals, labels no
 * later operand or the output needs are summed away, and operands are contracted left to right, each pair
 * with one batched matmul (so attention-style equations never build the full outer product).
 */
@OnnxOp(type = "Einsum", since = 12)
public final class Einsum implements OpConverter {
    /** Labels of the ellipsis dimensions, counted from this code up (letters are below it). */
    private static final int ELLIPSIS = 1000;

    @Override
    public OpKernel prepare(OnnxNode node) {
        String equation = node.attrs().getString("equation", null);
        if (equation == null) {
            throw new MergeNetException(node.describe() + ": attribute 'equation' is missing");
        }
        String eq = equation.replace(" ", "");
        int arrow = eq.indexOf("->");
        String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
        String rhs = arrow < 0 ? null : eq.substring(arrow + 2);
        String[] specs = lhs.split(",", -1);
        return (ctx, in) -> {
            if (specs.length != in.size()) {
                throw new MergeNetException(node.describe() + ": equation '" + equation + "' names " + specs.length
                        + " operands but the node has " + in.size() + " inputs");
            }
            int ellipsisRank = 0;
            for (int i = 0; i < specs.length; i++) {
                if (specs[i].contains("...")) {
                    int letters = specs[i].length() - 3;
                    ellipsisRank = Math.max(ellipsisRank, in.get(i).getShape().dimension() - letters);
                }
            }
            List<List<Integer>> labels = new ArrayList<>();
            for (int i = 0; i < specs.length; i++) {
                labels.add(parse(node, specs[i], in.get(i).getShape().dimension(), ellipsisRank));
            }
            List<Integer> out = rhs != null ? parse(node, rhs, -1, ellipsisRank) : implicitOutput(labels, ellipsisRank);
            DataType type = in.get(0).getDataType();
            List<Term> operands = new ArrayList<>();
            for (int i = 0; i < specs.length; i++) {
                List<Integer> ls = new ArrayList<>(labels.get(i));
                operands.add(new Term(takeDiagonals(in.get(i), ls), ls));
            }
            Term acc = operands.get(0);
            for (int i = 1; i < operands.size(); i++) {
                Set<Integer> needed = new LinkedHashSet<>(out);
                for (int k = i + 1; k < operands.size(); k++) {
                    needed.addAll(operands.get(k).labels());
                }
                acc = contract(acc, operands.get(i), needed);
            }
            acc = sumOut(acc, new LinkedHashSet<>(out));
            NDArray product = align(acc.x(), acc.labels(), out);
            return new NDList(Numeric.owned(Numeric.as(product, type), in.all().toArray(new NDArray[0])));
        };
    }

    /** An operand and the label of each of its axes. */
    private record Term(NDArray x, List<Integer> labels) {}

    /** Sums the axes whose labels are not in {@code keep}. */
    private static Term sumOut(Term t, Set<Integer> keep) {
        List<Integer> kept = new ArrayList<>();
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < t.labels().size(); i++) {
            if (keep.contains(t.labels().get(i))) {
                kept.add(t.labels().get(i));
            } else {
                axes.add(i);
            }
        }
        if (axes.isEmpty()) {
            return t;
        }
        return new Term(t.x().sum(axes.stream().mapToInt(Integer::intValue).toArray()), kept);
    }

    /**
     * Contracts two operands with one batched matmul: labels in both that are still needed are batch axes,
     * labels in both that are not are summed by the product, the rest stay as rows of A or columns of B.
     */
    private static Term contract(Term a, Term b, Set<Integer> needed) {
        Set<Integer> keepA = new LinkedHashSet<>(needed);
        keepA.addAll(b.labels());
        Set<Integer> keepB = new LinkedHashSet<>(needed);
        keepB.addAll(a.labels());
        a = sumOut(a, keepA);
        b = sumOut(b, keepB);
        List<Integer> batch = new ArrayList<>();
        List<Integer> summed = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        for (int l : a.labels()) {
            (b.labels().contains(l) ? needed.contains(l) ? batch : summed : rows).add(l);
        }
        for (int l : b.labels()) {
            if (!a.labels().contains(l)) {
                cols.add(l);
            }
        }
        long[] batchSizes = sizes(batch, a, b);
        long[] summedSizes = sizes(summed, a, b);
        long[] rowSizes = sizes(rows, a, b);
        long[] colSizes = sizes(cols, a, b);
        NDArray left = gather(a, concat(batch, rows, summed), concat(batchSizes, rowSizes, summedSizes))
                .reshape(product(batchSizes), product(rowSizes), product(summedSizes));
        NDArray right = gather(b, concat(batch, summed, cols), concat(batchSizes, summedSizes, colSizes))
                .reshape(product(batchSizes), product(summedSizes), product(colSizes));
        NDArray c = left.matMul(right).reshape(new Shape(concat(batchSizes, rowSizes, colSizes)));
        return new Term(c, concat(batch, rows, cols));
    }

    /** x permuted to {@code order} (a permutation of its labels) and broadcast to {@code sizes}. */
    private static NDArray gather(Term t, List<Integer> order, long[] sizes) {
        NDArray y = align(t.x(), t.labels(), order);
        Shape target = new Shape(sizes);
        return y.getShape().equals(target) ? y : y.broadcast(target);
    }

    /** The size of each label: the larger of the two operands' (the other may be 1 and broadcast). */
    private static long[] sizes(List<Integer> labels, Term a, Term b) {
        long[] out = new long[labels.size()];
        for (int i = 0; i < out.length; i++) {
            int ia = a.labels().indexOf(labels.get(i));
            int ib = b.labels().indexOf(labels.get(i));
            long sa = ia < 0 ? 1 : a.x().getShape().get(ia);
            long sb = ib < 0 ? 1 : b.x().getShape().get(ib);
            out[i] = Math.max(sa, sb);
        }
        return out;
    }

    @SafeVarargs
    private static List<Integer> concat(List<Integer>... parts) {
        List<Integer> out = new ArrayList<>();
        for (List<Integer> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    private static long[] concat(long[]... parts) {
        return Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
    }

    private static long product(long[] sizes) {
        long p = 1;
        for (long s : sizes) {
            p *= s;
        }
        return p;
    }

    private static List<Integer> parse(OnnxNode node, String term, int rank, int ellipsisRank) {
        List<Integer> ls = new ArrayList<>();
        int i = 0;
        while (i < term.length()) {
            if (term.startsWith("...", i)) {
                int e = rank < 0 ? ellipsisRank : rank - (term.length() - 3);
                for (int k = ellipsisRank - e; k < ellipsisRank; k++) {
                    ls.add(ELLIPSIS + k);
                }
                i += 3;
            } else if (Character.isLetter(term.charAt(i))) {
                ls.add((int) term.charAt(i));
                i++;
            } else {
                throw new MergeNetException(
                        node.describe() + ": bad character '" + term.charAt(i) + "' in einsum term '" + term + "'");
            }
        }
        if (rank >= 0 && ls.size() != rank) {
            throw new MergeNetException(node.describe() + ": einsum term '" + term + "' does not match rank " + rank);
        }
        return ls;
    }

    private static List<Integer> implicitOutput(List<List<Integer>> labels, int ellipsisRank) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < ellipsisRank; k++) {
            out.add(ELLIPSIS + k);
        }
        Map<Integer, Integer> counts = new TreeMap<>();
        for (List<Integer> ls : labels) {
            for (int l : ls) {
                if (l < ELLIPSIS) {
                    counts.merge(l, 1, Integer::sum);
                }
            }
        }
        counts.forEach((l, c) -> {
            if (c == 1) {
                out.add(l);
            }
        });
        return out;
    }

    /** Replaces each label repeated within one operand by the diagonal over its axes (the label moves last). */
    private static NDArray takeDiagonals(NDArray x, List<Integer> ls) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 0; i < ls.size() && !changed; i++) {
                int j = ls.subList(i + 1, ls.size()).indexOf(ls.get(i));
                if (j >= 0) {
                    j += i + 1;
                    int label = ls.get(i);
                    x = diagonal(x, i, j);
                    ls.remove(j);
                    ls.remove(i);
                    ls.add(label);
                    changed = true;
                }
            }
        }
        return x;
    }

    /**
     * torch.diagonal(x, 0, i, j): axes i and j (equal sizes) become one, moved last. A strided slice of the
     * flattened pair, since the CUDA build's DJL (0.33) has no NDArray.diagonal.
     */
    private static NDArray diagonal(NDArray x, int i, int j) {
        int rank = x.getShape().dimension();
        int[] order = new int[rank];
        int k = 0;
        for (int a = 0; a < rank; a++) {
            if (a != i && a != j) {
                order[k++] = a;
            }
        }
        order[k++] = i;
        order[k] = j;
        long n = x.getShape().get(i);
        long[] dims = new long[rank - 1];
        for (int a = 0; a < rank - 2; a++) {
            dims[a] = x.getShape().get(order[a]);
        }
        dims[rank - 2] = n * n;
        return x.transpose(order).reshape(new Shape(dims)).get("..., ::" + (n + 1));
    }

    /** Permutes x's axes into {@code order} and inserts size-1 axes for labels it lacks. */
    private static NDArray align(NDArray x, List<Integer> ls, List<Integer> order) {
        List<Integer> present = new ArrayList<>();
        for (int l : order) {
            if (ls.contains(l)) {
                present.add(l);
            }
        }
        int[] perm = new int[present.size()];
        boolean identity = true;
        for (int k = 0; k < perm.length; k++) {
            perm[k] = ls.indexOf(present.get(k));
            identity &= perm[k] == k;
        }
        NDArray y = identity ? x : x.transpose(perm);
        long[] shape = new long[order.size()];
        for (int k = 0; k < shape.length; k++) {
            int p = present.indexOf(order.get(k));
            shape[k] = p < 0 ? 1 : y.getShape().get(p);
        }
        return y.reshape(new Shape(shape));
    }
}
