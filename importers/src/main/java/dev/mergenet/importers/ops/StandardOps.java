package dev.mergenet.importers.ops;

import dev.mergenet.importers.ops.activation.ActivationOps;
import dev.mergenet.importers.ops.control.ControlFlowOps;
import dev.mergenet.importers.ops.core.CoreOps;
import dev.mergenet.importers.ops.math.MathOps;
import dev.mergenet.importers.ops.nn.NnOps;
import dev.mergenet.importers.ops.reduce.ReduceOps;
import dev.mergenet.importers.ops.rnn.RecurrentOps;
import dev.mergenet.importers.ops.sequence.SequenceOps;
import dev.mergenet.importers.ops.training.TrainingOps;
import dev.mergenet.importers.ops.tensor.TensorOps;
import java.util.List;

/** The op families MergeNet-J ships; {@link OpRegistry#standard()} registers all of them. */
final class StandardOps {
    static final List<OpFamily> FAMILIES = List.of(
            new CoreOps(), new MathOps(), new ActivationOps(), new ReduceOps(), new TensorOps(), new NnOps(),
            new RecurrentOps(), new ControlFlowOps(), new SequenceOps(),
            new TrainingOps());

    private StandardOps() {}
}
