package dev.mergenet.importers.ops.rnn;

import ai.djl.ndarray.NDArray;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.List;

/** RNN: H = f(X*Wi^T + H*Ri^T + Wbi + Rbi), f defaulting to Tanh. Outputs Y and Y_h. */
@OnnxOp(
        type = "RNN",
        since = {1, 7, 14, 22})
public final class SimpleRnn implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        RecurrentAttributes attrs = new RecurrentAttributes(node, List.of("Tanh"));
        RecurrentLoop.Cell cell = (projected, state, w) -> {
            NDArray g = projected.add(state[0].matMul(w.recurrenceT()));
            if (w.recurrenceBias() != null) {
                g = g.add(w.recurrenceBias());
            }
            return new NDArray[] {w.activations().get(0).apply(attrs.clip(g))};
        };
        return (ctx, in) -> RecurrentLoop.run(ctx.manager(), in, attrs, 1, 1, cell);
    }
}
