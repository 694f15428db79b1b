package dev.mergenet.importers.ops.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.mergenet.core.errors.MergeNetException;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OpContext;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpInputs;
import dev.mergenet.importers.ops.spi.OpKernel;

/**
 * The preview.training optimizer ops (Adagrad, Momentum, Adam): inputs R (learning rate), T (step count), then
 * {@code groups} runs of n tensors each (X..., G..., state...); outputs the new X... and new state... .
 */
abstract class OptimizerStep implements OpConverter {
    private final int groups;

    OptimizerStep(int groups) {
        this.groups = groups;
    }

    /** Updates tensor i: {@code group(g)} is the g-th run's tensor i (0 = X, 1 = G, 2.. = state). */
    abstract NDArray[] step(double r, long t, NDArray[] group);

    abstract void parse(OnnxNode node);

    @Override
    public OpKernel prepare(OnnxNode node) {
        parse(node);
        return this::run;
    }

    private NDList run(OpContext ctx, OpInputs in) {
        int tensors = in.size() - 2;
        if (tensors % groups != 0) {
            throw new MergeNetException(
                    ctx.node().describe() + ": expected 2 + " + groups + "*n inputs, got " + in.size());
        }
        int n = tensors / groups;
        double r = in.scalarDouble(0);
        long t = in.scalarLong(1);
        NDArray[][] outs = new NDArray[n][];
        for (int i = 0; i < n; i++) {
            NDArray[] group = new NDArray[groups];
            for (int g = 0; g < groups; g++) {
                group[g] = in.get(2 + g * n + i);
            }
            outs[i] = step(r, t, group);
        }
        NDList result = new NDList();
        for (int k = 0; k < outs[0].length; k++) {
            for (int i = 0; i < n; i++) {
                result.add(outs[i][k]);
            }
        }
        return result;
    }
}
