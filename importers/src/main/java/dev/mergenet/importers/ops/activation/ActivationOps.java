package dev.mergenet.importers.ops.activation;

import dev.mergenet.importers.ops.OpFamily;
import dev.mergenet.importers.ops.OpRegistry;

/** Registers the converters for activations and softmax-like ops. */
public final class ActivationOps implements OpFamily {
    @Override
    public void register(OpRegistry r) {
        r.add("Relu", new Pointwise(Pointwise.Kind.RELU), 1, 6, 13, 14);
        r.add("LeakyRelu", new Pointwise(Pointwise.Kind.LEAKY_RELU), 1, 6, 16);
        r.add("PRelu", new PRelu(), 1, 6, 7, 9, 16);
        r.add("Elu", new Pointwise(Pointwise.Kind.ELU), 1, 6, 22);
        r.add("Selu", new Pointwise(Pointwise.Kind.SELU), 1, 6, 22);
        r.add("Celu", new Pointwise(Pointwise.Kind.CELU), 12);
        r.add("ThresholdedRelu", new Pointwise(Pointwise.Kind.THRESHOLDED_RELU), 10, 22);
        r.add("Sigmoid", new Pointwise(Pointwise.Kind.SIGMOID), 1, 6, 13);
        r.add("HardSigmoid", new Pointwise(Pointwise.Kind.HARD_SIGMOID), 1, 6, 22);
        r.add("HardSwish", new Pointwise(Pointwise.Kind.HARD_SWISH), 14, 22);
        r.add("Tanh", new Pointwise(Pointwise.Kind.TANH), 1, 6, 13);
        r.add("Softplus", new Pointwise(Pointwise.Kind.SOFTPLUS), 1, 22);
        r.add("Softsign", new Pointwise(Pointwise.Kind.SOFTSIGN), 1, 22);
        r.add("Shrink", new Pointwise(Pointwise.Kind.SHRINK), 9);
        r.add("Mish", new Pointwise(Pointwise.Kind.MISH), 18, 22);
        r.add("Gelu", new Pointwise(Pointwise.Kind.GELU), 20);
        r.add("Softmax", new SoftmaxFamily(SoftmaxFamily.Kind.SOFTMAX), 1, 11, 13);
        r.add("LogSoftmax", new SoftmaxFamily(SoftmaxFamily.Kind.LOG_SOFTMAX), 1, 11, 13);
        r.add("Hardmax", new SoftmaxFamily(SoftmaxFamily.Kind.HARDMAX), 1, 11, 13);
    }
}
