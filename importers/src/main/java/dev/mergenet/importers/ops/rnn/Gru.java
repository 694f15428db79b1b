package dev.mergenet.importers.ops.rnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.List;

/**
 * GRU with ONNX's gate order z, r, h. With linear_before_reset the reset gate multiplies (H*Rh + Rbh);
 * otherwise it multiplies H before the recurrence. Outputs Y and Y_h.
 */
@OnnxOp(
        type = "GRU",
        since = {1, 3, 7, 14, 22})
public final class Gru implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        RecurrentAttributes attrs = new RecurrentAttributes(node, List.of("Sigmoid", "Tanh"));
        boolean linearBeforeReset = node.attrs().getInt("linear_before_reset", 0) != 0;
        RecurrentLoop.Cell cell = (projected, state, w) -> {
            int h = w.hidden();
            NDArray hPrev = state[0];
            NDArray rT = w.recurrenceT();
            NDArray zrT = rT.get(new NDIndex(":, 0:{}", 2 * h));
            NDArray hT = rT.get(new NDIndex(":, {}:", 2 * h));
            NDArray zr = hPrev.matMul(zrT);
            NDArray rbh = null;
            if (w.recurrenceBias() != null) {
                zr = zr.add(w.recurrenceBias().get(new NDIndex("0:{}", 2 * h)));
                rbh = w.recurrenceBias().get(new NDIndex("{}:", 2 * h));
            }
            NDArray z = w.activations()
                    .get(0)
                    .apply(attrs.clip(RecurrentLoop.gate(projected, 0, h).add(RecurrentLoop.gate(zr, 0, h))));
            NDArray r = w.activations()
                    .get(0)
                    .apply(attrs.clip(RecurrentLoop.gate(projected, 1, h).add(RecurrentLoop.gate(zr, 1, h))));
            NDArray recurrent;
            if (linearBeforeReset) {
                NDArray lin = hPrev.matMul(hT);
                recurrent = r.mul(rbh == null ? lin : lin.add(rbh));
            } else {
                NDArray lin = r.mul(hPrev).matMul(hT);
                recurrent = rbh == null ? lin : lin.add(rbh);
            }
            NDArray candidate = w.activations()
                    .get(1)
                    .apply(attrs.clip(RecurrentLoop.gate(projected, 2, h).add(recurrent)));
            NDArray next = z.neg().add(1).mul(candidate).add(z.mul(hPrev));
            return new NDArray[] {next};
        };
        return (ctx, in) -> RecurrentLoop.run(ctx.manager(), in, attrs, 3, 1, cell);
    }
}
