package dev.mergenet.importers.ops.training;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the ai.onnx.preview.training ops that MergeNet-J implements. */
public final class TrainingOps implements OpFamily {
    public static final String DOMAIN = "ai.onnx.preview.training";

    @Override
    public void register(OpRegistry r) {
        r.add(DOMAIN, "Gradient", new Gradient(), 1);
        r.add(DOMAIN, "Adagrad", new Adagrad(), 1);
        r.add(DOMAIN, "Momentum", new Momentum(), 1);
        r.add(DOMAIN, "Adam", new Adam(), 1);
    }
}
