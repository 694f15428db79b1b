package dev.mergenet.importers.ops.rnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.mergenet.importers.ops.spi.OnnxNode;
import dev.mergenet.importers.ops.spi.OnnxOp;
import dev.mergenet.importers.ops.spi.OpConverter;
import dev.mergenet.importers.ops.spi.OpKernel;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * LSTM with ONNX's gate order i, o, f, c, optional peepholes (P = [Pi, Po, Pf]) and input_forget (f = 1 - i).
 * Outputs Y, Y_h, Y_c.
 */
@OnnxOp(
        type = "LSTM",
        since = {1, 7, 14, 22})
public final class Lstm implements OpConverter {
    @Override
    public OpKernel prepare(OnnxNode node) {
        RecurrentAttributes attrs = new RecurrentAttributes(node, List.of("Sigmoid", "Tanh", "Tanh"));
        boolean inputForget = node.attrs().getInt("input_forget", 0) != 0;
        RecurrentLoop.Cell cell = (projected, state, w) -> {
            int h = w.hidden();
            NDArray hPrev = state[0];
            NDArray cPrev = state[1];
            NDArray g = projected.add(hPrev.matMul(w.recurrenceT()));
            if (w.recurrenceBias() != null) {
                g = g.add(w.recurrenceBias());
            }
            UnaryOperator<NDArray> f = w.activations().get(0);
            NDArray iPre = RecurrentLoop.gate(g, 0, h);
            NDArray oPre = RecurrentLoop.gate(g, 1, h);
            NDArray fPre = RecurrentLoop.gate(g, 2, h);
            NDArray cPre = RecurrentLoop.gate(g, 3, h);
            NDArray p = w.peepholes();
            if (p != null) {
                iPre = iPre.add(p.get(new NDIndex("0:{}", h)).mul(cPrev));
                fPre = fPre.add(p.get(new NDIndex("{}:{}", 2 * h, 3 * h)).mul(cPrev));
            }
            NDArray i = f.apply(attrs.clip(iPre));
            NDArray forget = inputForget ? i.neg().add(1) : f.apply(attrs.clip(fPre));
            NDArray candidate = w.activations().get(1).apply(attrs.clip(cPre));
            NDArray c = forget.mul(cPrev).add(i.mul(candidate));
            if (p != null) {
                oPre = oPre.add(p.get(new NDIndex("{}:{}", h, 2 * h)).mul(c));
            }
            NDArray o = f.apply(attrs.clip(oPre));
            return new NDArray[] {o.mul(w.activations().get(2).apply(c)), c};
        };
        return (ctx, in) -> RecurrentLoop.run(ctx.manager(), in, attrs, 4, 2, cell);
    }
}
