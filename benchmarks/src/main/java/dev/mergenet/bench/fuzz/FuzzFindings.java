package dev.mergenet.bench.fuzz;

import java.util.List;

/**
 * Every mutant the fuzz program found ending badly, by the run seed and task number that make it again
 * ({@link ModelFuzz#mutant}). ModelFuzzTest replays each one on every build; a new finding of scripts/fuzz.sh is
 * added here (with its reproducer test in the module it broke) so it stays found. docs/fuzzing.md has the runs.
 */
public final class FuzzFindings {
    /** One mutant: {@code ModelFuzz.mutant(seeds, runSeed, task)}, what it did and where its reproducer lives. */
    public record Finding(long runSeed, long task, String what) {}

    /** The seed of the in-suite test's own 300 mutants (its first run, 2026-11-30). */
    public static final long SUITE_SEED = 20261130L;

    public static final List<Finding> ALL = List.of(
            // issue 19: AveragePool under auto_pad SAME with a kernel dim of 2^20 hung past 60 s, or aborted the JVM
            // under an address-space limit (OpCostTest, HostileModelChildJvmTest)
            new Finding(41, 3310, "test_averagepool_2d_same_upper: kernel_shape[0] = 1048576"),
            new Finding(47, 5470, "test_averagepool_2d_same_upper: kernel_shape[0] = 1048576"),
            new Finding(79, 2230, "test_averagepool_2d_same_upper: kernel_shape[0] = 1048576"),
            new Finding(90, 1150, "test_averagepool_2d_same_upper: kernel_shape[0] = 1048576"),
            new Finding(68, 6549, "test_averagepool_2d_same_lower: alpha = 0.0 added; kernel_shape[0] = 1048576"),
            new Finding(32, 1149, "test_averagepool_2d_same_lower: kernel_shape[1] = 1048576"),
            new Finding(37, 5470, "test_averagepool_2d_same_upper: kernel_shape[1] = 1048576"),
            // issue 19: a one-value input read as element 0 of whatever came (TopK's K rewired to a 3x3 tensor,
            // Range's start to a 3x4 one); an empty K was an ArrayIndexOutOfBoundsException (MalformedNodeTest)
            new Finding(18, 3035, "test_top_k_negative_axis: node duplicated; TopK input 1 -> 'values'"),
            new Finding(22, 4114, "test_top_k: node duplicated; TopK input 1 -> 'values'"),
            new Finding(13, 7355, "test_top_k_negative_axis: node 0 op_type -> Range"),
            // the run of seed 102 at 66cd15f: a Gradient whose slice reached its own output prepared itself again
            // until a StackOverflowError (MalformedNodeTest.gradientWhoseSliceReachesItsOwnOutputIsRefused)
            new Finding(102, 6454, "test_gradient_of_add_and_mul: Add input 0 -> 'dd_da'"),
            // seed 105 at 66cd15f: MaxUnpool asked libtorch for a 32 GiB output inferred from its kernel, a native
            // allocation that can abort the JVM (OpCostTest's MaxUnpool case)
            new Finding(
                    105, 1509, "test_maxunpool_export_without_output_shape: kernel_shape[1] = 2^31-1, a 32 GiB output"),
            // seed 107 at a8b9934: SequenceConstruct with an empty input name, a NullPointerException
            // (MalformedNodeTest.sequenceConstructWithAnEmptyInputIsRefused)
            new Finding(107, 1058, "test_sequence_model4: SequenceConstruct input 1 -> empty"));

    private FuzzFindings() {}
}
