package dev.mergenet.importers.ops.reduce;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for reductions and arg-reductions. */
public final class ReduceOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("ReduceSum", new Reduce(Reduce.Kind.SUM), 1, 11, 13);
        r.add("ReduceMean", new Reduce(Reduce.Kind.MEAN), 1, 11, 13, 18);
        r.add("ReduceProd", new Reduce(Reduce.Kind.PROD), 1, 11, 13, 18);
        r.add("ReduceMax", new Reduce(Reduce.Kind.MAX), 1, 11, 12, 13, 18, 20);
        r.add("ReduceMin", new Reduce(Reduce.Kind.MIN), 1, 11, 12, 13, 18, 20);
        r.add("ReduceL1", new Reduce(Reduce.Kind.L1), 1, 11, 13, 18);
        r.add("ReduceL2", new Reduce(Reduce.Kind.L2), 1, 11, 13, 18);
        r.add("ReduceLogSum", new Reduce(Reduce.Kind.LOG_SUM), 1, 11, 13, 18);
        r.add("ReduceLogSumExp", new Reduce(Reduce.Kind.LOG_SUM_EXP), 1, 11, 13, 18);
        r.add("ReduceSumSquare", new Reduce(Reduce.Kind.SUM_SQUARE), 1, 11, 13, 18);
        r.add("ArgMax", new ArgReduce(true), 1, 11, 12, 13);
        r.add("ArgMin", new ArgReduce(false), 1, 11, 12, 13);
    }
}
