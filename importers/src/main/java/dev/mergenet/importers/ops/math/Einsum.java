package dev.mergenet.importers.ops.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mergenet.importers.MergeNetException;
import dev.mergenet.importers.ops.OnnxNode;
import dev.mergenet.importers.ops.OpConverter;
import dev.mergenet.importers.ops.OpKernel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Einsum from differentiable primitives: repeated labels inside one operand become diagonals, every operand
 * is permuted and unsqueezed onto one label order (output labels first, summed labels after), the operands
 * are multiplied with broadcasting and the summed labels reduced.
 */
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
        String[] terms = lhs.split(",", -1);
        return (ctx, in) -> {
            if (terms.length != in.size()) {
                throw new MergeNetException(node.describe() + ": equation '" + equation + "' names " + terms.length
                        + " operands but the node has " + in.size() + " inputs");
            }
            int ellipsisRank = 0;
            for (int i = 0; i < terms.length; i++) {
                if (terms[i].contains("...")) {
                    int letters = terms[i].length() - 3;
                    ellipsisRank = Math.max(ellipsisRank, in.get(i).getShape().dimension() - letters);
                }
            }
            List<List<Integer>> labels = new ArrayList<>();
            for (int i = 0; i < terms.length; i++) {
                labels.add(parse(node, terms[i], in.get(i).getShape().dimension(), ellipsisRank));
            }
            List<Integer> out = rhs != null ? parse(node, rhs, -1, ellipsisRank) : implicitOutput(labels, ellipsisRank);
            DataType type = in.get(0).getDataType();
            NDArray product = null;
            List<Integer> order = new ArrayList<>(out);
            Set<Integer> all = new LinkedHashSet<>();
            labels.forEach(all::addAll);
            for (int l : all) {
                if (!order.contains(l)) {
                    order.add(l);
                }
            }
            for (int i = 0; i < terms.length; i++) {
                NDArray x = in.get(i);
                List<Integer> ls = new ArrayList<>(labels.get(i));
                x = takeDiagonals(x, ls);
                product = product == null ? align(x, ls, order) : product.mul(align(x, ls, order));
            }
            int summed = order.size() - out.size();
            if (summed > 0) {
                int[] axes = new int[summed];
                for (int k = 0; k < summed; k++) {
                    axes[k] = out.size() + k;
                }
                product = product.sum(axes);
            }
            return new NDList(Numeric.owned(Numeric.as(product, type), in.all().toArray(new NDArray[0])));
        };
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
                throw new MergeNetException(node.describe() + ": bad character '" + term.charAt(i)
                        + "' in einsum term '" + term + "'");
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
                    x = x.diagonal(0, i, j);
                    ls.remove(j);
                    ls.remove(i);
                    ls.add(label);
                    changed = true;
                }
            }
        }
        return x;
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
