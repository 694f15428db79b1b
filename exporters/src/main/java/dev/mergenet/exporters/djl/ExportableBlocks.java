package dev.mergenet.exporters.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Factory helpers for DJL blocks whose settings live inside a lambda (pooling, parameterised activations,
 * joins of parallel branches). Each helper makes the same block DJL's own factory would and remembers what
 * it is, so the exporter can write it. Parameter-free activations from {@link Activation} need no helper.
 */
public final class ExportableBlocks {
    /** What a remembered block does. */
    public sealed interface Spec permits Pool2d, Pool1d, LeakyRelu, Elu, Join {}

    public record Pool2d(boolean max, Shape kernel, Shape stride, Shape padding, boolean countIncludePad)
            implements Spec {}

    public record Pool1d(boolean max, Shape kernel, Shape stride, Shape padding, boolean countIncludePad)
            implements Spec {}

    public record LeakyRelu(float alpha) implements Spec {}

    public record Elu(float alpha) implements Spec {}

    /** How a ParallelBlock combines its branches: element-wise sum, or concatenation along an axis. */
    public record Join(boolean sum, int axis) implements Spec {}

    private static final Map<Block, Spec> SPECS = Collections.synchronizedMap(new WeakHashMap<>());

    private ExportableBlocks() {}

    static Spec spec(Block block) {
        return SPECS.get(block);
    }

    private static <B extends Block> B remember(B block, Spec spec) {
        SPECS.put(block, spec);
        return block;
    }

    public static Block maxPool2d(Shape kernel, Shape stride, Shape padding) {
        return remember(Pool.maxPool2dBlock(kernel, stride, padding), new Pool2d(true, kernel, stride, padding, false));
    }

    /** Average pooling that counts padded cells, as DJL's default does. */
    public static Block avgPool2d(Shape kernel, Shape stride, Shape padding) {
        return remember(
                Pool.avgPool2dBlock(kernel, stride, padding, false, true),
                new Pool2d(false, kernel, stride, padding, true));
    }

    public static Block maxPool1d(Shape kernel, Shape stride, Shape padding) {
        return remember(Pool.maxPool1dBlock(kernel, stride, padding), new Pool1d(true, kernel, stride, padding, false));
    }

    public static Block avgPool1d(Shape kernel, Shape stride, Shape padding) {
        return remember(
                Pool.avgPool1dBlock(kernel, stride, padding, false, true),
                new Pool1d(false, kernel, stride, padding, true));
    }

    public static Block leakyRelu(float alpha) {
        return remember(Activation.leakyReluBlock(alpha), new LeakyRelu(alpha));
    }

    public static Block elu(float alpha) {
        return remember(Activation.eluBlock(alpha), new Elu(alpha));
    }

    /** {@code branch(x) + x}: a residual connection. */
    public static ParallelBlock residual(Block branch) {
        return sum(branch, Blocks.identityBlock());
    }

    /** The element-wise sum of the branches' single outputs. */
    public static ParallelBlock sum(Block... branches) {
        ParallelBlock p = new ParallelBlock(ExportableBlocks::addAll, List.of(branches));
        return remember(p, new Join(true, 0));
    }

    /** The branches' single outputs concatenated along {@code axis}. */
    public static ParallelBlock concat(int axis, Block... branches) {
        ParallelBlock p = new ParallelBlock(
                list -> {
                    NDList all = new NDList();
                    list.forEach(l -> all.add(l.singletonOrThrow()));
                    return new NDList(NDArrays.concat(all, axis));
                },
                List.of(branches));
        return remember(p, new Join(false, axis));
    }

    private static NDList addAll(List<NDList> outputs) {
        List<NDArray> arrays = new ArrayList<>();
        outputs.forEach(l -> arrays.add(l.singletonOrThrow()));
        NDArray sum = arrays.get(0);
        for (int i = 1; i < arrays.size(); i++) {
            sum = sum.add(arrays.get(i));
        }
        return new NDList(sum);
    }

    /** Local alias so the lambda above reads clearly. */
    private static final class NDArrays {
        static NDArray concat(NDList arrays, int axis) {
            return ai.djl.ndarray.NDArrays.concat(arrays, axis);
        }
    }

    /** True for a LambdaBlock DJL made through one of its named factories. */
    static boolean isLambda(Block b) {
        return b instanceof LambdaBlock;
    }
}
